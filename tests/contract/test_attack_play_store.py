"""The two Stores on responsible play's items, at the edges the services do not reach today
(review of d03ed7f..7370636)."""

from __future__ import annotations

import pytest

from tests.contract.stores import AnyStore
from tombola.domain.errors import SpendShort
from tombola.state.changes import Change, SpendCharge


def test_a_charge_larger_than_its_limit_is_refused_on_an_empty_window(store: AnyStore) -> None:
    """room = limit - amount < 0 (a charge that alone passes the limit). The MemoryStore
    refuses it (0 <= -1 is false); DynamoStore's 'attribute_not_exists(spent) OR spent <=
    :room' lets it through on a window nobody spent in yet. The gate never sends such a
    charge today, so this is latent; the fake and the table must still agree."""
    charge = SpendCharge("ann", "KRW#D2026-06-01", 1_000, -1)
    with pytest.raises(SpendShort):
        store.commit(Change(spends=[charge]))
