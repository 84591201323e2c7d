"""Identity verification: who a person is (the provider's stable person id) and their birth
date, as the provider verified them (PortOne's identity verification, or the sandbox's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True, slots=True)
class VerifiedPerson:
    person_id: str  # the provider's connecting information (CI): one per person, never stored
    birth_date: date


@dataclass(frozen=True, slots=True)
class VerificationWindow:
    """What the browser needs to open the provider's verification for ``verification_id``."""

    provider: str  # "sandbox" | "portone"
    store_id: str | None = None
    channel_key: str | None = None
    url: str | None = None  # the sandbox's page


class IdentityVerifier(Protocol):
    def window(self, verification_id: str) -> VerificationWindow: ...

    def verified(self, verification_id: str) -> VerifiedPerson | None:
        """The person a finished verification verified; None while it is not (yet) verified.
        Raises ProviderUnavailable when the provider cannot say."""
        ...
