from __future__ import annotations

import itertools

import pytest

from tombola.domain.errors import IllegalTransition
from tombola.domain.lifecycle import (
    PHASE,
    TERMINAL,
    TRANSITIONS,
    ListingStatus,
    Phase,
    can_transition,
    transition,
)

S = ListingStatus

HAPPY_PATH = [
    S.DRAFT,
    S.AWAITING_DEPOSIT,
    S.OPEN,
    S.CLOSED,
    S.DRAWING,
    S.AWAITING_SECOND_PAYMENT,
    S.DRAWING,  # re-draw
    S.AWAITING_SECOND_PAYMENT,
    S.FINAL_BUYER,
    S.SHIPPED,
    S.DELIVERED,
    S.CONFIRMED,
    S.SETTLED,
]


def test_every_status_has_a_row() -> None:
    assert set(TRANSITIONS) == set(ListingStatus)


def test_the_happy_path_with_a_redraw_is_allowed() -> None:
    for current, target in itertools.pairwise(HAPPY_PATH):
        assert transition(current, target) is target


def test_terminal_statuses() -> None:
    assert {S.SETTLED, S.UNSOLD, S.CANCELLED} == TERMINAL


ILLEGAL = [(a, b) for a in ListingStatus for b in ListingStatus if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=str)
def test_every_illegal_transition_is_rejected_naming_both_states(
    current: ListingStatus, target: ListingStatus
) -> None:
    assert not can_transition(current, target)
    with pytest.raises(IllegalTransition) as err:
        transition(current, target)
    assert current.value in err.value.message
    assert target.value in err.value.message


def test_illegal_list_covers_the_complement() -> None:
    allowed = sum(len(v) for v in TRANSITIONS.values())
    assert len(ILLEGAL) + allowed == len(ListingStatus) ** 2


def test_every_status_has_its_phase_and_each_phase_is_reached() -> None:
    """The API says which statuses a client treats alike (``phase``); the web client reads it
    instead of restating the groups."""
    assert set(PHASE) == set(ListingStatus)
    assert set(PHASE.values()) == set(Phase)
    assert PHASE[ListingStatus.OPEN] is PHASE[ListingStatus.DRAWING] is Phase.BEFORE_DRAW
    assert PHASE[ListingStatus.UNSOLD] is PHASE[ListingStatus.CANCELLED] is Phase.NOT_SOLD
