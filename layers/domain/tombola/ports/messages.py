"""Telling people: one notification to one recipient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Notification:
    recipient_id: str
    template: str  # e.g. "drawn", "second_payment_due", "final_buyer", "ship", "refund"
    data: dict[str, object]


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...
