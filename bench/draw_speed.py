"""The draw over many tickets against the bare HMAC-SHA256 loop it cannot beat."""

from __future__ import annotations

import hashlib
import hmac
import os
import statistics
import time

from bench.report import row
from tombola.domain import draw


def bench_tickets(tickets: int) -> tuple[list[tuple[str, str]], bytes, bytes, list[bytes]]:
    """(ticket id, buyer) pairs, four tickets a buyer; a seed, an HMAC key, the ids as bytes."""
    buyers = tickets // 4
    pairs = [
        (f"E{i % buyers:07d}-{i // buyers + 1}", f"buyer{i % buyers:07d}") for i in range(tickets)
    ]
    return pairs, os.urandom(32), hashlib.sha256(b"k").digest(), [t.encode() for t, _ in pairs]


def draw_speed(tickets: int) -> None:
    print(f"draw over {tickets:,} tickets vs the bare HMAC-SHA256 loop")
    pairs, seed, key, ids = bench_tickets(tickets)

    def bare() -> float:
        started = time.perf_counter()
        for t in ids:
            hmac.new(key, t, hashlib.sha256).digest()
        return time.perf_counter() - started

    def ours() -> float:
        started = time.perf_counter()
        draw.run(seed, "Lbench", list(pairs))
        return time.perf_counter() - started

    floor = statistics.median(bare() for _ in range(5))
    measured = statistics.median(ours() for _ in range(5))
    ratio = measured / floor
    row(
        f"draw of {tickets:,} tickets / bare HMAC loop",
        f"{ratio:.2f}× ({measured:.2f} s vs {floor:.2f} s)",
        "≤ 1.5×",
        ratio <= 1.5,
    )
