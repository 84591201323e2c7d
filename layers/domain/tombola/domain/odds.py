"""The chance of being drawn first (docs/RULES.md, rule 21): every ticket in the draw, paid or
free, is one equal chance, so a buyer holding ``mine`` of the ``tickets`` in is drawn first with
probability mine / tickets. Shown before every purchase, now and if the listing fills."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Chances:
    mine: int  # the buyer's tickets, those being bought included
    now: int  # the tickets in the draw now, those being bought included
    if_full: int  # the tickets in the draw once the paid ones reach Np


def chances(*, mine: int, adding: int, paid: int, free: int, expected: int) -> Chances:
    """``mine``: the buyer's tickets in already; ``adding``: the ones being bought (not yet
    counted in ``paid`` or ``free``); ``paid``/``free``: the listing's tickets in now;
    ``expected``: Np. A listing that does not close when full may pass Np: "if full" is then
    the larger of Np and what is in."""
    now = paid + free + adding
    return Chances(mine=mine + adding, now=now, if_full=max(expected, paid + adding) + free)
