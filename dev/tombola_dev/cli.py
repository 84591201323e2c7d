"""Commands for a person using the local stack by hand.

python -m tombola_dev.cli token alice buyer          # a JWT for alice in the buyer group
python -m tombola_dev.cli pay chk_...                # the sandbox provider pays a checkout
python -m tombola_dev.cli fail chk_...               # ... or reports it failed
python -m tombola_dev.cli carrier L123 delivered     # the carrier reports (in_transit, accident)
python -m tombola_dev.cli refunds | payouts | notifications
python -m tombola_dev.cli attention                  # listings whose execution stopped
python -m tombola_dev.cli resume L123                # resume one from its last safe step
python -m tombola_dev.cli payout-paid L123           # the provider reports a payout sent
"""

from __future__ import annotations

import argparse
import json
import sys

from tombola_dev import auth
from tombola_dev.client import Client, default_url


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--url", default=default_url())
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("token", help="mint a JWT")
    t.add_argument("user")
    t.add_argument("groups", nargs="+", choices=auth.GROUPS)
    for name in ("pay", "fail"):
        sub.add_parser(name, help=f"{name} a sandbox checkout").add_argument("checkout_id")
    c = sub.add_parser("carrier", help="a carrier status report")
    c.add_argument("listing_id")
    c.add_argument("event", choices=["delivered", "in_transit", "accident"])
    for name in ("refunds", "payouts", "notifications"):
        sub.add_parser(name, help=f"list sandbox {name}")
    sub.add_parser("attention", help="listings needing an operator (as an operator)")
    sub.add_parser("resume", help="resume a stopped listing (as an operator)").add_argument(
        "listing_id"
    )
    sub.add_parser("payout-paid", help="the sandbox reports a payout as sent").add_argument(
        "listing_id"
    )
    args = p.parse_args(argv)

    if args.command == "token":
        print(auth.mint(args.user, args.groups))
        return 0
    client = Client(args.url)
    if args.command in {"pay", "fail"}:
        status, body = client.call("POST", f"/sandbox/checkouts/{args.checkout_id}/{args.command}")
    elif args.command == "carrier":
        status, body = client.call(
            "POST", f"/sandbox/carrier/{args.listing_id}", {"event": args.event}
        )
    elif args.command in {"attention", "resume"}:
        operator = auth.mint("operator-cli", ["operator"])
        if args.command == "attention":
            status, body = client.call("GET", "/operator/attention", token=operator)
        else:
            status, body = client.call(
                "POST", f"/listings/{args.listing_id}/resume", token=operator
            )
    elif args.command == "payout-paid":
        status, body = client.call("POST", f"/sandbox/payouts/{args.listing_id}/paid")
    else:
        status, body = client.call("GET", f"/sandbox/{args.command}")
    print(json.dumps(body, indent=2))
    return 0 if status < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
