"""Purchases per second on one listing with threads racing, a fifth of transactions cancelled."""

from __future__ import annotations

import threading
import time
from collections import Counter

from tombola_dev.contention import Conflicts
from tombola_dev.driver import Driver

from bench.harness import big_listing, harness
from bench.report import row


def _race(d: Driver, lid: str, buyers: list[str], threads: int) -> tuple[float, int]:
    """Purchases/s with ``threads`` workers taking buyers from one queue; how many refused."""
    refused: Counter[str] = Counter()
    queue = list(buyers)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                b = queue.pop()
            r = d.as_(b, "POST", f"/listings/{lid}/entries", {"tickets": 1})
            if r.status != 201:
                with lock:
                    refused[r.body["error"]["code"]] += 1
                continue
            d.pay(r.body["checkout"]["checkout_id"])

    started = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(buyers) / (time.perf_counter() - started), sum(refused.values())


def _warm(d: Driver, lid: str, threads: int) -> None:
    """As many warm instances of the functions as threads will race (the harness, like Lambda,
    runs one invocation at a time per instance): the rows measure contention, not cold starts."""

    def request() -> None:
        d.as_("t0", "POST", f"/listings/{lid}/entries", {"tickets": 0})  # 422, the route built
        d.stack.http("POST", "/webhooks/payments", raw=b"{}", headers={})  # refused unsigned

    d.stack.warm(threads, request)


def throughput(threads_list: list[int], per_thread: int) -> None:
    print("one listing, threads racing, a fifth of transactions cancelled")
    rates: dict[int, float] = {}
    for threads in threads_list:
        with harness() as (d, _):
            lid = big_listing(d, 1_000_000)
            total = max(per_thread * max(threads_list) // 4, threads)
            buyers = [f"t{i}" for i in range(total)]
            for b in buyers:
                d.user(b, "buyer")
            _warm(d, lid, threads)
            d.stack.on_call = Conflicts(0.2, seed=threads)
            rates[threads], busy = _race(d, lid, buyers, threads)
            ratio = rates[threads] / rates[threads_list[0]]
            last = threads == max(threads_list)
            row(
                f"{threads} threads: purchases/s (ratio to 1 thread), refused",
                f"{rates[threads]:.1f} ({ratio:.2f}), {busy}",
                "≥ 0.80 at 64, 0 refused" if last else "0 refused",
                busy == 0 and (not last or ratio >= 0.8),
            )
