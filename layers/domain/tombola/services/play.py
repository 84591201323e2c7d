"""Responsible play: identity verification (one person, one account), spend limits, breaks and
self-exclusion, and the gate every purchase passes in the transaction that takes its money
(docs/RULES.md, "Responsible play"; docs/COMPLIANCE.md)."""

from __future__ import annotations

import hashlib
import hmac
import secrets as random_tokens
from collections.abc import Callable
from datetime import datetime, timedelta

from tombola.api.models import BreakIn, ExclusionIn, SpendLimitsIn, VerificationIn
from tombola.api.views import (
    CurrencyLimitsView,
    HarmSignalView,
    PlayOverview,
    RefusedAccountView,
    SpendLimitsView,
    StandingView,
    VerificationStartView,
    WindowSpend,
)
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import (
    Conflict,
    InvalidInput,
    MayNotPlay,
    NotAllowedNow,
    ProviderUnavailable,
    SamePerson,
    SpendLimitReached,
)
from tombola.domain.money import CURRENCIES
from tombola.domain.responsible import (
    PlayPolicy,
    SpendLimits,
    age_on,
    changed_limits,
    rose_sharply,
    windows,
)
from tombola.services.deps import Deps
from tombola.services.listing_access import pseudonym_key
from tombola.services.policy import play_view
from tombola.services.runner import decide_and_apply
from tombola.state.changes import Change, SpendCharge
from tombola.state.records import HarmSignal, RefusedAccount, StandingRecord

EXCLUSION_DAYS_PER_MONTH = 30.4375  # a month of the exclusion: 365.25 / 12 days


def policy(deps: Deps) -> PlayPolicy:
    return deps.settings.play_policy


# ------------------------------------------------------------------------ the gate
def refusal(
    p: PlayPolicy, standing: StandingRecord | None, now: datetime, *, owed: bool = False
) -> MayNotPlay | None:
    """Why this person may not pay for a chance now, or None. ``owed``: a drawn candidate
    paying the P2 they already owe (docs/DECISIONS.md: a break or exclusion taken after the
    draw does not take the item away from them; age and verification were met to enter)."""
    verified = standing is not None and standing.verified_at is not None
    if p.identity_required and not verified:
        return MayNotPlay(
            "verification_needed",
            "verify your identity first (once): POST /me/verification",
            field="verification",
        )
    born = standing.birth_date if standing is not None else None
    if born is not None and age_on(born, now.astimezone(p.zone).date()) < p.minimum_age:
        return MayNotPlay(
            "under_age", f"you must be {p.minimum_age} or older to take part", field="age"
        )
    if standing is None or owed:
        return None
    if standing.excluded_until is not None and now < standing.excluded_until:
        return MayNotPlay(
            "self_excluded",
            "you excluded yourself from play until "
            f"{standing.excluded_until.isoformat()}; it cannot be lifted early",
            until=standing.excluded_until.isoformat(),
            field="exclusion",
        )
    if standing.break_until is not None and now < standing.break_until:
        return MayNotPlay(
            "on_break",
            f"you are taking a break until {standing.break_until.isoformat()}",
            until=standing.break_until.isoformat(),
            field="break",
        )
    return None


def _charges(
    deps: Deps,
    standing: StandingRecord | None,
    user_id: str,
    currency: str,
    amount: int,
    now: datetime,
    change: Change,
) -> list[SpendCharge]:
    p = policy(deps)
    limits = standing.limits_at(currency, now) if standing else None
    if limits is None and p.limit_prompt:
        raise MayNotPlay(
            "limit_needed",
            f"choose your spend limits in {currency} first (no limit is a choice too): "
            "PUT /me/limits",
            field="spend_limit",
        )
    found = windows(currency, now, p.zone)
    week_before = windows(currency, now - timedelta(days=7), p.zone)[1].key
    spent = deps.store.spent(user_id, [w.key for w in found] + [week_before])
    charges: list[SpendCharge] = []
    over = [
        w
        for w in found
        if limits and (cap := limits.of(w.name)) is not None and spent[w.key] + amount > cap
    ]
    # the refusal names the window that blocks longest: waiting for a shorter one's reset would
    # not be enough
    if over and limits is not None:
        w = max(over, key=lambda w: w.ends_at)
        limit = limits.of(w.name) or 0  # over the limit: it is set
        raise SpendLimitReached(
            f"this would take you past your {w.name}'s spend limit: {spent[w.key]} of "
            f"{limit} {currency} spent, {amount} more asked; it resets at "
            f"{w.ends_at.isoformat()}",
            window=w.name,
            limit=limit,
            spent=spent[w.key],
            resets_at=w.ends_at.isoformat(),
        )
    for w in found:
        cap = limits.of(w.name) if limits else None
        charges.append(SpendCharge(user_id, w.key, amount, None if cap is None else cap - amount))
    week = found[1].key
    if rose_sharply(currency, spent[week_before], spent[week], spent[week] + amount):
        change.harm = HarmSignal(
            user_id=user_id,
            currency=currency,
            week=week,
            spent=spent[week] + amount,
            previous=spent[week_before],
            at=now,
        )
    return charges


def gate(
    deps: Deps,
    change: Change,
    user_id: str,
    currency: str,
    amount: int,
    *,
    owed: bool = False,
) -> None:
    """Refuse the purchase (MayNotPlay, SpendLimitReached) or add to ``change`` what makes it
    count: the spend in each window, conditioned on the room left, and the standing's version
    read, so a limit lowered, a break or an exclusion taken meanwhile makes the change decide
    again, and racing purchases cannot pass a limit together."""
    now = deps.clock.now()
    standing = deps.store.get_standing(user_id)
    refused = refusal(policy(deps), standing, now, owed=owed)
    if refused is not None:
        raise refused
    change.spends.extend(_charges(deps, standing, user_id, currency, amount, now, change))
    change.standing_read = (user_id, standing.version if standing else 0)


def precheck(deps: Deps, user_id: str, currency: str, amount: int, *, owed: bool = False) -> None:
    """The gate before a checkout opens (the card's money is taken later, and the gate runs
    again then): refused now rather than paid and refunded."""
    gate(deps, Change(), user_id, currency, amount, owed=owed)


def may_list(deps: Deps, user_id: str) -> None:
    """A seller is verified, of age and neither on a break nor excluded before listing."""
    refused = refusal(policy(deps), deps.store.get_standing(user_id), deps.clock.now())
    if refused is not None:
        raise refused


# ------------------------------------------------------------------------ verification
def _tag(key: str, user_id: str, nonce: str) -> str:
    mac = hmac.new(key.encode(), f"verification|{user_id}|{nonce}".encode(), hashlib.sha256)
    return mac.hexdigest()[:20]


def start_verification(deps: Deps, caller: Caller) -> VerificationStartView:
    """A verification id bound to the caller (only they can finish it), for the provider's
    window."""
    nonce = random_tokens.token_hex(8)
    vid = f"idv-{nonce}-{_tag(pseudonym_key(deps), caller.user_id, nonce)}"
    window = _verifier(deps).window(vid)
    return VerificationStartView(
        verification_id=vid,
        provider=window.provider,
        store_id=window.store_id,
        channel_key=window.channel_key,
        url=window.url,
    )


def _verifier(deps: Deps):  # type: ignore[no-untyped-def]
    if deps.identity is None:
        raise ProviderUnavailable("identity verification is not configured")
    return deps.identity


def person_of(deps: Deps, person_id: str) -> str:
    """The keyed hash a person is kept as: the same person is the same hash, the raw id is
    never stored and cannot be read back from it."""
    key = pseudonym_key(deps).encode()
    return hmac.new(key, f"person|{person_id}".encode(), hashlib.sha256).hexdigest()


def finish_verification(deps: Deps, caller: Caller, body: VerificationIn) -> StandingView:
    vid = body.verification_id
    parts = vid.split("-")
    key = pseudonym_key(deps)
    if (
        len(parts) != 3
        or parts[0] != "idv"
        or not hmac.compare_digest(parts[2], _tag(key, caller.user_id, parts[1]))
    ):
        raise InvalidInput(
            "not a verification this account started: POST /me/verification/start",
            field="verification_id",
        )
    found = _verifier(deps).verified(vid)
    if found is None:
        raise NotAllowedNow(
            "the verification is not finished (or failed): finish it in the provider's window",
            field="verification_id",
        )
    person = person_of(deps, found.person_id)
    now = deps.clock.now()

    def decide() -> tuple[Change, None]:
        standing = deps.store.get_standing(caller.user_id)
        if standing is not None and standing.person == person:
            return Change(), None  # verified before as this very person
        if standing is not None and standing.person is not None:
            raise Conflict(
                "this account is verified as another person already", field="verification_id"
            )
        holder = deps.store.person_holder(person)
        if holder is not None and holder != caller.user_id:
            raise SamePerson(
                "you are verified on another account already: one person, one account. "
                "Sign in with that account, or ask the operator for help",
                field="verification_id",
            )
        base = standing or StandingRecord(user_id=caller.user_id)
        updated = base.model_copy(
            update={
                "version": base.version + 1,
                "person": person,
                "verified_at": now,
                "birth_date": found.birth_date,
            }
        )
        claims = [] if holder == caller.user_id else [(person, caller.user_id)]
        counts = counted(standing, updated, now)
        return Change(standing=updated, person_claims=claims, play_counts=counts), None

    try:
        decide_and_apply(deps, decide)
    except SamePerson:
        holder = deps.store.person_holder(person) or "?"
        deps.store.add_refused_account(
            RefusedAccount(user_id=caller.user_id, holder_id=holder, at=now)
        )
        raise
    return standing_view(deps, caller.user_id)


# ------------------------------------------------------------------------ the operator's counts
def counted(
    before: StandingRecord | None, after: StandingRecord, now: datetime
) -> list[tuple[str, str, int]]:
    """What a standing's change moves in the operator's counters: verified and limits once per
    person; a break or exclusion under the day it ends (in force: those ending today or later),
    moved when it is extended."""
    user = after.user_id
    out: list[tuple[str, str, int]] = []
    if after.verified_at is not None and (before is None or before.verified_at is None):
        out.append((user, "verified", 1))
    if after.limits and (before is None or not before.limits):
        out.append((user, "limits", 1))
    for kind, attr in (("break", "break_until"), ("exclusion", "excluded_until")):
        was = getattr(before, attr, None) if before else None
        now_until = getattr(after, attr)
        if now_until == was:
            continue
        if was is not None and was.date() >= now.date():  # still counted (in force by day)
            out.append((user, f"{kind}#{was.date().isoformat()}", -1))
        if now_until is not None:
            out.append((user, f"{kind}#{now_until.date().isoformat()}", 1))
    return out


# ------------------------------------------------------------------------ limits, breaks
def _save(
    deps: Deps, user_id: str, edit: Callable[[StandingRecord, datetime], StandingRecord]
) -> StandingView:
    def decide() -> tuple[Change, None]:
        read = deps.store.get_standing(user_id)
        standing = read or StandingRecord(user_id=user_id)
        now = deps.clock.now()
        updated = edit(standing, now)
        updated = updated.model_copy(update={"version": standing.version + 1})
        return Change(standing=updated, play_counts=counted(read, updated, now)), None

    decide_and_apply(deps, decide)
    return standing_view(deps, user_id)


def set_limits(deps: Deps, caller: Caller, body: SpendLimitsIn) -> StandingView:
    if body.currency not in CURRENCIES:
        raise InvalidInput(f"{body.currency!r} is not a currency we take", field="currency")
    asked = SpendLimits(day=body.day, week=body.week, month=body.month)

    def edit(standing: StandingRecord, now: datetime) -> StandingRecord:
        kept = standing.limits_at(body.currency, now)
        at_once, waiting = changed_limits(kept, asked, now)
        limits = dict(standing.limits) | {body.currency: at_once}
        raises = {c: r for c, r in standing.raises.items() if c != body.currency}
        if waiting is not None:
            raises[body.currency] = waiting
        return standing.model_copy(update={"limits": limits, "raises": raises})

    return _save(deps, caller.user_id, edit)


def take_break(deps: Deps, caller: Caller, body: BreakIn) -> StandingView:
    def edit(standing: StandingRecord, now: datetime) -> StandingRecord:
        until = now + timedelta(days=body.days)
        if standing.break_until is not None and standing.break_until > until:
            until = standing.break_until  # a shorter break never ends a longer one early
        return standing.model_copy(update={"break_until": until})

    return _save(deps, caller.user_id, edit)


def exclude(deps: Deps, caller: Caller, body: ExclusionIn) -> StandingView:
    def edit(standing: StandingRecord, now: datetime) -> StandingRecord:
        until = now + timedelta(days=round(body.months * EXCLUSION_DAYS_PER_MONTH))
        if standing.excluded_until is not None and standing.excluded_until > until:
            until = standing.excluded_until  # never shortened
        return standing.model_copy(update={"excluded_until": until})

    return _save(deps, caller.user_id, edit)


# ------------------------------------------------------------------------ views
def _limits_view(limits: SpendLimits) -> SpendLimitsView:
    return SpendLimitsView(day=limits.day, week=limits.week, month=limits.month)


def standing_view(deps: Deps, user_id: str) -> StandingView:
    p = policy(deps)
    now = deps.clock.now()
    standing = deps.store.get_standing(user_id)
    refused = refusal(p, standing, now)
    chosen = sorted(set(standing.limits) | set(standing.raises)) if standing else []
    if refused is None and p.limit_prompt and not chosen:
        refused = MayNotPlay("limit_needed", "choose your spend limits first", field="spend_limit")
    currencies = sorted(set(standing.limits) | set(standing.raises) if standing else set()) or [
        "KRW"
    ]
    rows: list[CurrencyLimitsView] = []
    for currency in currencies:
        limits = (standing.limits_at(currency, now) if standing else None) or SpendLimits()
        waiting = standing.raises.get(currency) if standing else None
        if waiting is not None and waiting.effective_at <= now:
            waiting = None
        found = windows(currency, now, p.zone)
        spent = deps.store.spent(user_id, [w.key for w in found])
        rows.append(
            CurrencyLimitsView(
                currency=currency,
                limits=_limits_view(limits),
                raise_waiting=_limits_view(waiting.limits) if waiting else None,
                raise_effective_at=waiting.effective_at.isoformat() if waiting else None,
                spent=[
                    WindowSpend(
                        window=w.name,
                        spent=spent[w.key],
                        limit=limits.of(w.name),
                        resets_at=w.ends_at.isoformat(),
                    )
                    for w in found
                ],
            )
        )
    age = (
        age_on(standing.birth_date, now.astimezone(p.zone).date())
        if standing is not None and standing.birth_date is not None
        else None
    )
    return StandingView(
        verified=standing is not None and standing.verified_at is not None,
        verified_at=standing.verified_at.isoformat() if standing and standing.verified_at else None,
        age=age,
        of_age=None if age is None else age >= p.minimum_age,
        may_buy=refused is None,
        refusal=refused.code if refused else None,
        limits_chosen=chosen,
        break_until=standing.break_until.isoformat()
        if standing and standing.break_until and standing.break_until > now
        else None,
        excluded_until=standing.excluded_until.isoformat()
        if standing and standing.excluded_until and standing.excluded_until > now
        else None,
        limits=rows,
        policy=play_view(p),
    )


def my_standing(deps: Deps, caller: Caller) -> StandingView:
    return standing_view(deps, caller.user_id)


def overview(deps: Deps, caller: Caller) -> PlayOverview:
    caller.require(Role.OPERATOR)
    counts = deps.store.play_counts()
    today = deps.clock.now().date().isoformat()

    def in_force(kind: str) -> int:
        return sum(
            n for k, n in counts.items() if k.startswith(f"{kind}#") and k.split("#")[1] >= today
        )

    return PlayOverview(
        verified=counts.get("verified", 0),
        with_limits=counts.get("limits", 0),
        on_break=in_force("break"),
        excluded=in_force("exclusion"),
        harm_signals=[
            HarmSignalView(
                user_id=h.user_id,
                currency=h.currency,
                week=h.week.split("#", 1)[1],
                spent=h.spent,
                previous=h.previous,
                at=h.at.isoformat(),
            )
            for h in deps.store.harm_signals()
        ],
        refused_accounts=[
            RefusedAccountView(user_id=r.user_id, holder_id=r.holder_id, at=r.at.isoformat())
            for r in deps.store.refused_accounts()
        ],
    )
