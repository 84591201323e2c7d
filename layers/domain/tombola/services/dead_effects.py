"""The operator's list of effects that kept failing: see them, retry them once the cause is
fixed, or resolve them by hand (kept, with who did it and a note)."""

from __future__ import annotations

from tombola.api.models import DeadEffectsResolveIn
from tombola.api.views import DeadEffectsList, DeadEffectsView
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import NotAllowedNow, NotFound
from tombola.services.deps import Deps
from tombola.state.changes import DeadEffects, EffectEnvelope


def _view(dead: DeadEffects) -> DeadEffectsView:
    return DeadEffectsView(
        dead_id=dead.dead_id,
        listing_id=dead.listing_id,
        effects=[EffectEnvelope(effect=e).model_dump(mode="json")["effect"] for e in dead.effects],
        attempts=dead.attempts,
        last_error=dead.last_error,
        created_at=dead.created_at.isoformat(),
        failed_at=dead.failed_at.isoformat(),
        resolved_at=dead.resolved_at.isoformat() if dead.resolved_at else None,
        resolved_by=dead.resolved_by,
        resolution_note=dead.resolution_note,
    )


def dead_effects(deps: Deps, caller: Caller, *, resolved: bool = False) -> DeadEffectsList:
    """Open ones (oldest first), or the latest 100 of the resolved history."""
    caller.require(Role.OPERATOR)
    found = deps.store.dead_effects(resolved=resolved)
    return DeadEffectsList(effects=[_view(d) for d in found])


def _existing(deps: Deps, dead_id: str) -> DeadEffects:
    dead = deps.store.get_dead_effects(dead_id)
    if dead is None:
        raise NotFound(f"no dead effects {dead_id!r}")
    return dead


def retry(deps: Deps, caller: Caller, dead_id: str) -> DeadEffectsView:
    """Back to the outbox with fresh attempts: the next sweep runs them."""
    caller.require(Role.OPERATOR)
    dead = _existing(deps, dead_id)
    if dead.resolved_at is not None or not deps.store.revive_dead_effects(dead_id):
        raise NotAllowedNow("these effects were resolved or retried already")
    return _view(dead)


def resolve(
    deps: Deps, caller: Caller, dead_id: str, body: DeadEffectsResolveIn
) -> DeadEffectsView:
    caller.require(Role.OPERATOR)
    _existing(deps, dead_id)
    if not deps.store.resolve_dead_effects(dead_id, caller.user_id, body.note):
        raise NotAllowedNow("these effects were resolved or retried already")
    return _view(_existing(deps, dead_id))
