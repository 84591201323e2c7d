"""draw-v2 over many tickets (the entries sealed into their Merkle tree, the beacon round
verified, the order ranked) against its bare floor measured in the same run: one HMAC-SHA256 per
ticket plus the tree's SHA-256 hashes (a leaf per ticket, a node per pair) in a tight loop. Then
what a buyer's phone checks: the proof's size and the browser's time (vitest, Node's V8)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench.draw_speed import bench_tickets
from bench.report import row
from tombola.domain import beacon, draw, merkle
from tombola.domain.macs import hmac_pads
from tombola.domain.pseudonyms import buyer_pseudonyms

ROOT = Path(__file__).resolve().parents[1]
REAL = json.loads((ROOT / "tests/fixtures/quicknet_rounds.json").read_text())["rounds"][0]


def draw_v2_speed(tickets: int) -> None:
    print(
        f"draw-v2 over {tickets:,} tickets vs its bare floor (HMAC per ticket + the tree's hashes)"
    )
    pairs, seed, key, ids = bench_tickets(tickets)
    leaves_in = [t + b"\nb-0123456789abcdef" for t in ids]

    def bare() -> float:
        started = time.perf_counter()
        inner, outer = hmac_pads(key)  # the fastest HMAC-SHA256 loop in Python, as ours
        for t in ids:
            i = inner()
            i.update(t)
            o = outer()
            o.update(i.digest())
            o.digest()
        level = [hashlib.sha256(b"\x00" + x).digest() for x in leaves_in]
        while len(level) > 1:
            nxt = [
                hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
                for i in range(0, len(level) - 1, 2)
            ]
            if len(level) % 2:
                nxt.append(level[-1])
            level = nxt
        return time.perf_counter() - started

    def ours() -> float:
        started = time.perf_counter()
        entries = draw.seal(list(pairs), buyer_pseudonyms("k" * 32, "Lbench"))
        got = beacon.verify(beacon.QUICKNET, REAL["round"], REAL["signature"])
        value = draw.BeaconValue(beacon.QUICKNET, got.round, got.randomness)
        draw.order_v2(seed, "Lbench", entries, value)
        return time.perf_counter() - started

    runs = 3
    floor = statistics.median(bare() for _ in range(runs))
    measured = statistics.median(ours() for _ in range(runs))
    ratio = measured / floor
    row(
        f"draw-v2 of {tickets:,} tickets / bare floor",
        f"{ratio:.2f}× ({measured:.2f} s vs {floor:.2f} s)",
        "≤ 1.3×",
        ratio <= 1.3,
    )
    depth = (tickets - 1).bit_length()
    proof = merkle.Proof(tickets - 1, tickets, tuple(bytes(32) for _ in range(depth)))
    size = len(proof.encoded())
    row(
        f"a ticket's proof at {tickets:,} tickets",
        f"{depth} hashes, {size} B base64",
        "≤ 1 KB",
        size <= 1024,
    )


def browser_check() -> None:
    """The buyer's check at 1,000,000 tickets as the web client runs it (vitest prints it)."""
    npx = shutil.which("npx")
    if npx is None or not (ROOT / "web/node_modules").exists():
        row("a buyer's check in the browser", "skipped (make web first)", "≤ 50 ms", True)
        return
    out = subprocess.run(  # noqa: S603 (npx, found on PATH, with fixed arguments)
        [npx, "vitest", "run", "tests/beacon.test.ts", "-t", "milliseconds"],
        cwd=ROOT / "web",
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found = re.search(
        r"checks in median ([0-9.]+) ms; the beacon's BLS signature in ([0-9.]+) ms; "
        r"the panel again \(round remembered\) in ([0-9.]+) ms",
        out,
    )
    if found is None:
        row("a buyer's check in the browser", "not measured (vitest failed)", "≤ 50 ms", False)
        return
    proof, signature, again = (float(g) for g in found.groups())
    row(
        "a ticket's proof checked in the browser (1,000,000 tickets)",
        f"{proof:.2f} ms",
        "≤ 50 ms",
        proof <= 50,
    )
    first = signature + again
    row(
        "a buyer's first check: beacon signature + seed, key, proof (V8, medians of 7)",
        f"{first:.1f} ms (signature {signature:.1f} ms, once per round; then {again:.1f} ms)",
        "≤ 50 ms",
        first <= 50,
    )
