"""A person's notes (what the product told them) with the unread count, and the operator's list
of notes that did not reach someone by e-mail or SMS."""

from __future__ import annotations

from datetime import timedelta

from tombola.api.models import NotesReadIn
from tombola.api.views import NoteList, NoteView, UndeliveredList, UndeliveredView
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import NotAllowedNow, NotFound, OutOfRange
from tombola.services.deps import Deps
from tombola.state.records import Delivery, NoteRecord

UNREAD_CAP = 100  # shown as "99+" beyond 99
UNDELIVERED_SHOWN = 100
# a send claimed longer ago than any notifier invocation may run is not coming back
STUCK_SENDING = timedelta(minutes=15)


def _view(note: NoteRecord, read_upto: str | None) -> NoteView:
    return NoteView(
        note_id=note.note_id,
        kind=note.kind,
        listing_id=note.listing_id,
        title=note.title,
        facts=note.facts,
        at=note.at.isoformat(),
        read=read_upto is not None and note.note_id <= read_upto,
        channels={c: d.state for c, d in note.channels.items()},
    )


def my_notes(deps: Deps, caller: Caller, before: str | None = None, limit: int = 30) -> NoteList:
    if not 1 <= limit <= 100:
        raise OutOfRange(
            "limit must be between 1 and 100", field="limit", limits={"min": 1, "max": 100}
        )
    notes = deps.store.notes_of(caller.user_id, limit + 1, before or None)
    read_upto = deps.store.read_upto(caller.user_id)
    shown = list(notes[:limit])
    return NoteList(
        notes=[_view(n, read_upto) for n in shown],
        unread=deps.store.unread_notes(caller.user_id, UNREAD_CAP),
        next_before=shown[-1].note_id if len(notes) > limit else None,
    )


def read_notes(deps: Deps, caller: Caller, body: NotesReadIn) -> NoteList:
    """Everything up to the note named is read (a note of someone else's is not found)."""
    if deps.store.get_note(caller.user_id, body.upto) is None:
        raise NotFound(f"no note {body.upto!r}", field="upto")
    deps.store.mark_read(caller.user_id, body.upto)  # False: read further already; same answer
    return my_notes(deps, caller)


def undelivered(deps: Deps, caller: Caller) -> UndeliveredList:
    caller.require(Role.OPERATOR)
    return UndeliveredList(
        notes=[
            UndeliveredView(
                user_id=n.user_id,
                note_id=n.note_id,
                kind=n.kind,
                listing_id=n.listing_id,
                at=n.at.isoformat(),
                failures={
                    c: d.error if d.state == "failed" else f"not confirmed sent ({d.state})"
                    for c, d in n.channels.items()
                    if d.state in {"failed", "sending"}
                },
            )
            for n in deps.store.undelivered_notes(UNDELIVERED_SHOWN)
        ]
    )


def dismiss_undelivered(deps: Deps, caller: Caller, user_id: str, note_id: str) -> UndeliveredList:
    """The operator took care of a note that did not go out (told the person another way, or
    nothing is left to tell): its failed channels become "dismissed" and it leaves the list.
    Each move is conditioned on the state read; a send still under way is not dismissed."""
    caller.require(Role.OPERATOR)
    note = deps.store.get_note(user_id, note_id)
    if note is None:
        raise NotFound(f"no note {note_id!r} of {user_id!r}", field="note_id")
    now = deps.clock.now()
    states = {c: d.state for c, d in note.channels.items()}
    for channel, delivery in note.channels.items():
        if delivery.state == "sending" and (
            delivery.at is None or now - delivery.at < STUCK_SENDING
        ):
            raise NotAllowedNow(
                f"the {channel} is being sent now; try again later", field="note_id"
            )
    for channel, delivery in note.channels.items():
        if delivery.state not in {"failed", "sending"}:
            continue
        states[channel] = "dismissed"
        unsettled = any(s in {"failed", "sending"} for s in states.values())
        kept = Delivery(state="dismissed", error=delivery.error, at=now)
        if not deps.store.move_delivery(
            user_id, note_id, channel, delivery.state, kept, listed=unsettled
        ):
            raise NotAllowedNow(f"the {channel} changed meanwhile; look again", field="note_id")
    if note.channels and not any(d.state in {"failed", "sending"} for d in note.channels.values()):
        # nothing unsettled, yet it may be listed still (a delivery that read the note before a
        # dismissal filed it again): off the list, under the same condition as any unlisting
        channel, delivery = next(iter(note.channels.items()))
        deps.store.move_delivery(user_id, note_id, channel, delivery.state, delivery, listed=False)
    return undelivered(deps, caller)
