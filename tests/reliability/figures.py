"""What the reliability suite counts, and how much of it runs.

`make reliability` sets RELIABILITY=full: every crash point, more hypothesis examples and more
schemathesis cases. Otherwise (CI) a seeded sample runs within the suite's time budget. Each test
records what it saw under .local/reliability/ so that the run ends with the figures, whichever
worker ran what (see tests/conftest.py)."""

from __future__ import annotations

import json
import os
import random
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# RELIABILITY_FIGURES: another folder, so a test run beside `make reliability` leaves its
# figures alone (each run starts by clearing its folder)
OUT = Path(os.environ.get("RELIABILITY_FIGURES") or ROOT / ".local" / "reliability")
FULL = os.environ.get("RELIABILITY") == "full"
SEED = int(os.environ.get("RELIABILITY_SEED", "7"))
SAMPLE_PER_FLOW = 6  # crash points per flow in CI (half before, half after the call)


def crash_points(calls: dict[str, int]) -> list[tuple[str, int, str]]:
    points = [
        (flow, n, when)
        for flow, count in calls.items()
        for n in range(1, count + 1)
        for when in ("before", "after")
    ]
    if FULL:
        return points
    rng = random.Random(SEED)
    sample: list[tuple[str, int, str]] = []
    for flow in calls:
        for when in ("before", "after"):
            mine = [p for p in points if p[0] == flow and p[2] == when]
            sample += rng.sample(mine, SAMPLE_PER_FLOW // 2)
    return sorted(sample)


def record(kind: str, data: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{kind}-{uuid.uuid4().hex}.json").write_text(json.dumps(data))


def reset() -> None:
    if OUT.exists():
        for f in OUT.glob("*.json"):
            f.unlink()


def summary() -> list[str]:
    """The lines `make reliability` ends with; empty when no reliability test ran."""
    if not OUT.exists():
        return []
    seen: dict[str, list[dict[str, Any]]] = {}
    for f in OUT.glob("*.json"):
        kind = f.name.split("-", 1)[0]
        seen.setdefault(kind, []).append(json.loads(f.read_text()))
    lines = []
    crash = seen.get("crash", [])
    if crash:
        ok = sum(1 for c in crash if c["converged"])
        unreached = sum(1 for c in crash if c.get("converged") and not c.get("fired"))
        lines.append(
            f"crash points converged: {ok}/{len(crash)}"
            + (
                f" ({unreached} past the end of their run, so they did not fire)"
                if unreached
                else ""
            )
        )
    runs = seen.get("interleavings", [])
    if runs:
        explored = sum(int(r["examples"]) for r in runs)
        steps = sum(int(r["steps"]) for r in runs)
        violations = sum(int(r["violations"]) for r in runs)
        lines.append(
            f"interleavings explored: {explored} ({steps} steps, on DynamoDB Local), "
            f"invariant violations: {violations}"
        )
    for kind, label in (
        ("server_errors", "server errors (responses >= 500)"),
        ("authz_leaks", "authorization leaks"),
        ("double_refunds", "double refunds"),
    ):
        if kind in seen:
            total = sum(int(x["count"]) for x in seen[kind])
            checked = sum(int(x.get("checked", 0)) for x in seen[kind])
            lines.append(f"{label}: {total} in {checked} checked")
    return lines
