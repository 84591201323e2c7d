"""Telling people: one message to one address over one channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Channel = Literal["email", "sms"]


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    text: str


class Notifier(Protocol):
    def send(self, channel: Channel, address: str, message: Message) -> None:
        """Raise when the channel's provider did not take the message."""
        ...


class TryLater(Exception):
    """The channel's provider did not take the message for now (a throttle, an outage): it may
    be tried again without having been sent."""
