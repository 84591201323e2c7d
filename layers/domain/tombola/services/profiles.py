"""A user's profile: contact, shipping address and (for sellers) a payout account."""

from __future__ import annotations

from tombola.api.models import ProfileIn
from tombola.api.phones import textable
from tombola.api.views import ProfileView
from tombola.domain.auth import Caller
from tombola.domain.errors import Conflict, NotFound
from tombola.services.accounts import account_view
from tombola.services.deps import Deps
from tombola.state.records import ProfileRecord


def _view(profile: ProfileRecord) -> ProfileView:
    return ProfileView(
        **profile.model_dump(exclude={"payout_account", "version"}),
        payout_account=account_view(profile.payout_account),
        texts_reach_phone=textable(profile.phone) is not None,
    )


SAVE_ATTEMPTS = 3


def put_profile(deps: Deps, caller: Caller, body: ProfileIn) -> ProfileView:
    """Saved over the version read: a save that raced another is decided again on what the
    other wrote, never written over it blind."""
    for _ in range(SAVE_ATTEMPTS):
        before = deps.store.get_profile(caller.user_id)
        fields = body.model_dump()
        if "payout_account" not in body.model_fields_set and before is not None:
            # a save that does not name the payout account keeps the one kept (the account a
            # payout goes to is never dropped by an edit of the address); null removes it
            fields["payout_account"] = before.payout_account
        read = before.version if before is not None else None
        profile = ProfileRecord(user_id=caller.user_id, version=(read or 0) + 1, **fields)
        if deps.store.save_profile(profile, read):
            return _view(profile)
    raise Conflict("the profile changed while it was saved: load it and save again")


def get_profile(deps: Deps, caller: Caller) -> ProfileView:
    profile = deps.store.get_profile(caller.user_id)
    if profile is None:
        raise NotFound("no profile yet: PUT /me/profile")
    return _view(profile)
