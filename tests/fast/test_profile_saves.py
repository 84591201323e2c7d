"""A profile saved as people save it: editing the address keeps the payout account a payout
goes to, and two saves at once never write one over the other blind."""

from __future__ import annotations

import threading

from tests.support.fast_platform import FastWorld
from tests.support.interleavings import caller
from tombola.api.models import ProfileIn
from tombola.domain.auth import Role
from tombola.services import profiles
from tombola.state.records import PayoutAccount, ProfileRecord

SELLER = caller("seller", Role.SELLER)
CONTACT = {
    "name": "김민지",
    "email": "s@example.com",
    "phone": "010-1234-5678",
    "address": "서울 1",
}


def test_a_save_that_does_not_name_the_payout_account_keeps_it(w: FastWorld) -> None:
    w.people("seller")
    profiles.put_profile(w.deps, SELLER, ProfileIn.model_validate(CONTACT))
    kept = w.store.get_profile("seller")
    assert kept is not None
    assert isinstance(kept.payout_account, PayoutAccount)
    assert kept.address == "서울 1"
    # an explicit null removes it
    profiles.put_profile(
        w.deps, SELLER, ProfileIn.model_validate(CONTACT | {"payout_account": None})
    )
    gone = w.store.get_profile("seller")
    assert gone is not None
    assert gone.payout_account is None


def test_a_save_racing_another_is_decided_again_on_what_the_other_wrote(w: FastWorld) -> None:
    """The address edit read the profile before the new account was saved: it is written over
    the new account's version, keeping the new account, never the old one."""
    w.people("seller")
    new_account = {"bank": "088", "number": "110-987-654321", "holder_name": "김민지"}
    real_get = w.store.get_profile
    raced = threading.Event()

    def read_then_another_saves(user_id: str) -> ProfileRecord | None:
        got = real_get(user_id)
        if not raced.is_set():
            raced.set()
            body = ProfileIn.model_validate(CONTACT | {"payout_account": new_account})
            profiles.put_profile(w.deps, SELLER, body)
        return got

    w.store.get_profile = read_then_another_saves  # type: ignore[method-assign]
    profiles.put_profile(w.deps, SELLER, ProfileIn.model_validate(CONTACT | {"address": "부산 2"}))
    w.store.get_profile = real_get  # type: ignore[method-assign]
    kept = w.store.get_profile("seller")
    assert kept is not None
    assert kept.address == "부산 2"
    assert isinstance(kept.payout_account, PayoutAccount)
    assert (kept.payout_account.bank, kept.payout_account.number) == ("088", "110987654321")
    assert kept.version == 2
