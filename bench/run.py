"""`make bench`: the data model's numbers, as one table `metric | measured | target`.

    python -m bench.run              # the sizes the targets name (minutes)
    python -m bench.run --small      # the same at a small size (CI: it keeps working)

Everything runs in the harness (moto, the real handlers and state machine) with counted AWS
calls (bench/meter.py); times are ratios measured in the same run, never absolute targets.
"""

from __future__ import annotations

import argparse
import sys

from bench.close_delay import close_delay
from bench.cost import cost
from bench.draw_speed import draw_speed
from bench.draw_v2 import browser_check, draw_v2_speed
from bench.purchases import hottest_key, writes_per_purchase
from bench.report import print_table
from bench.settlement import big_listing_settled
from bench.throughput import throughput


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--small", action="store_true", help="small sizes (seconds), for CI")
    p.add_argument(
        "--only-settlement",
        type=int,
        metavar="BUYERS",
        help="run only the seeded listing closed, drawn and settled, at this many buyers",
    )
    args = p.parse_args(argv)
    small = args.small
    if args.only_settlement:
        big_listing_settled(args.only_settlement)
        print_table()
        return 0
    per_purchase = writes_per_purchase(already=1_000 if small else 100_000)
    hottest_key(60 if small else 1_000)
    throughput([1, 4, 16, 64], 2 if small else 40)
    draw_speed(100_000 if small else 1_000_000)
    draw_v2_speed(100_000 if small else 1_000_000)
    browser_check()
    big_listing_settled(300 if small else 250_000)
    close_delay(10 if small else 40)
    cost(per_purchase)
    print_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
