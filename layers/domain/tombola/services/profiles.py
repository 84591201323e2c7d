"""A user's profile: contact, shipping address and (for sellers) a payout account."""

from __future__ import annotations

from tombola.api.models import ProfileIn
from tombola.api.phones import textable
from tombola.api.views import ProfileView
from tombola.domain.auth import Caller
from tombola.domain.errors import NotFound
from tombola.services.deps import Deps
from tombola.state.records import ProfileRecord


def _view(profile: ProfileRecord) -> ProfileView:
    return ProfileView(
        **profile.model_dump(), texts_reach_phone=textable(profile.phone) is not None
    )


def put_profile(deps: Deps, caller: Caller, body: ProfileIn) -> ProfileView:
    profile = ProfileRecord(user_id=caller.user_id, **body.model_dump())
    deps.store.put_profile(profile)
    return _view(profile)


def get_profile(deps: Deps, caller: Caller) -> ProfileView:
    profile = deps.store.get_profile(caller.user_id)
    if profile is None:
        raise NotFound("no profile yet: PUT /me/profile")
    return _view(profile)
