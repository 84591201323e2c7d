"""A user's profile: contact, shipping address and (for sellers) a payout account."""

from __future__ import annotations

from tombola.api.models import ProfileIn
from tombola.api.phones import textable
from tombola.api.views import ProfileView
from tombola.domain.auth import Caller
from tombola.domain.errors import NotFound
from tombola.services.accounts import account_view
from tombola.services.deps import Deps
from tombola.state.records import ProfileRecord


def _view(profile: ProfileRecord) -> ProfileView:
    return ProfileView(
        **profile.model_dump(exclude={"payout_account"}),
        payout_account=account_view(profile.payout_account),
        texts_reach_phone=textable(profile.phone) is not None,
    )


def put_profile(deps: Deps, caller: Caller, body: ProfileIn) -> ProfileView:
    fields = body.model_dump()
    if "payout_account" not in body.model_fields_set:
        # A payout account kept as free text before accounts had banks cannot be sent back as it
        # is: a profile saved without naming one keeps it (payouts issued until the seller
        # enters it with its bank still have somewhere to go); an explicit null removes it.
        before = deps.store.get_profile(caller.user_id)
        if before is not None and isinstance(before.payout_account, str):
            fields["payout_account"] = before.payout_account
    profile = ProfileRecord(user_id=caller.user_id, **fields)
    deps.store.put_profile(profile)
    return _view(profile)


def get_profile(deps: Deps, caller: Caller) -> ProfileView:
    profile = deps.store.get_profile(caller.user_id)
    if profile is None:
        raise NotFound("no profile yet: PUT /me/profile")
    return _view(profile)
