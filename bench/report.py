"""The bench's results: a line printed as each is measured, and the table at the end."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    metric: str
    measured: str
    target: str
    ok: bool | None = None


rows: list[Row] = []


def row(metric: str, measured: object, target: str = "", ok: bool | None = None) -> None:
    rows.append(Row(metric, str(measured), target, ok))
    mark = "" if ok is None else (" ok" if ok else " MISSED")
    print(f"  {metric}: {measured}{'  (target ' + target + ')' if target else ''}{mark}")


def print_table() -> None:
    print()
    print("| metric | measured | target |")
    print("|---|---|---|")
    for r in rows:
        mark = "" if r.ok is None else (" ✓" if r.ok else " ✗")
        print(f"| {r.metric} | {r.measured}{mark} | {r.target} |")
