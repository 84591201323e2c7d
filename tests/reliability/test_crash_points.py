"""Crash injection: for every N (all of them under `make reliability`; a seeded sample in CI), the
Nth AWS call of a whole listing fails before it goes out or after it was applied; the world then
retries as AWS would and the listing must end exactly where a clean run ends, money conserved."""

from __future__ import annotations

import functools

import pytest
from tombola_dev.parameters import FAST

from tests.reliability import figures
from tests.support.crash import InjectedCrash, converged, world
from tests.support.flows import FLOWS
from tombola.domain.statement import Statement

# Calls a clean run of each flow makes, measured (`make reliability` re-measures and covers
# every point up to the measured count); crash points past a run's end never fire and say so.
CLEAN_CALLS = {"sale_with_redraw": 184, "unsold": 131, "mileage": 154, "dispute": 141}


@functools.cache
def clean(flow: str) -> tuple[str, dict[str, int], dict[str, int], int]:
    with world(FAST) as (w, injector):
        lid, expected = FLOWS[flow](w)
        st = converged(w, lid, expected)
        return expected, dict(st.paid_in), dict(st.paid_out), injector.count


# A request retried after a crash may draw a new seed (the first attempt's is never stored), so
# the draw, and with it how a surplus splits into mileage and a remainder, may differ from the
# clean run's; what came in, and every other line of what went out, may not.
SPLIT = ("mileage_issued", "operator_revenue")


def same_money(st: Statement, paid_in: dict[str, int], paid_out: dict[str, int]) -> None:
    assert dict(st.paid_in) == paid_in, (st.paid_in, paid_in)
    mine = {k: v for k, v in st.paid_out.items() if k not in SPLIT}
    theirs = {k: v for k, v in paid_out.items() if k not in SPLIT}
    assert mine == theirs, (st.paid_out, paid_out)
    split = sum(st.paid_out.get(k, 0) for k in SPLIT)
    assert split == sum(paid_out.get(k, 0) for k in SPLIT), (st.paid_out, paid_out)


@pytest.mark.parametrize(("flow", "n", "when"), figures.crash_points(CLEAN_CALLS))
def test_a_crash_at_any_call_converges_to_the_clean_end(flow: str, n: int, when: str) -> None:
    expected, paid_in, paid_out, _ = clean(flow)
    fired = None
    try:
        with world(FAST) as (w, injector):
            injector.target, injector.when = n, when
            lid, _ = FLOWS[flow](w)
            fired = injector.fired
            st = converged(w, lid, expected)
            same_money(st, paid_in, paid_out)
    except (AssertionError, InjectedCrash):
        figures.record("crash", {"flow": flow, "n": n, "when": when, "converged": False})
        raise
    figures.record(
        "crash",
        {"flow": flow, "n": n, "when": when, "converged": True, "fired": fired is not None},
    )
