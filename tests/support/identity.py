"""An identity provider in memory: a test says who finished a verification."""

from __future__ import annotations

from datetime import date

from tombola.ports.identity import VerificationWindow, VerifiedPerson


class MemoryIdentity:
    def __init__(self) -> None:
        self.done: dict[str, VerifiedPerson] = {}

    def window(self, verification_id: str) -> VerificationWindow:
        return VerificationWindow(provider="sandbox", url=f"http://fast.invalid/{verification_id}")

    def verified(self, verification_id: str) -> VerifiedPerson | None:
        return self.done.get(verification_id)

    def finish(self, verification_id: str, person_id: str, born: date) -> None:
        self.done[verification_id] = VerifiedPerson(person_id, born)
