"""PortOne V2's identity verification behind the identity port: the browser opens PortOne's
window (``requestIdentityVerification`` with our verification id, the store and the channel),
then the server reads the verification back from PortOne's API and takes the person's CI and
birth date from PortOne's record, never from the browser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx
from portone_server_sdk import errors
from portone_server_sdk.identity_verification import (
    IdentityVerificationClient,
    VerifiedIdentityVerification,
)

from tombola.adapters.portone import PortOneAccess, PortOneCredentials
from tombola.domain.errors import ProviderUnavailable
from tombola.ports.identity import VerificationWindow, VerifiedPerson


class PortOneIdentityVerifier(PortOneAccess):
    def __init__(
        self,
        credentials: PortOneCredentials | Callable[[], PortOneCredentials],
        channel_key: str,
    ) -> None:
        self._credentials = credentials
        self.channel_key = channel_key
        self._client: IdentityVerificationClient | None = None

    @property
    def client(self) -> IdentityVerificationClient:
        if self._client is None:
            self._client = self.sdk_client(IdentityVerificationClient)
        return self._client

    def window(self, verification_id: str) -> VerificationWindow:
        return VerificationWindow(
            provider="portone", store_id=self.credentials.store_id, channel_key=self.channel_key
        )

    def verified(self, verification_id: str) -> VerifiedPerson | None:
        try:
            found = self.client.get_identity_verification(identity_verification_id=verification_id)
        except errors.IdentityVerificationNotFoundError:
            return None
        except (errors.PortOneError, httpx.HTTPError, ValueError) as err:
            raise ProviderUnavailable(
                f"PortOne could not be asked about the verification ({type(err).__name__}); "
                "try again"
            ) from err
        if not isinstance(found, VerifiedIdentityVerification):
            return None  # READY (not finished) or FAILED
        customer = found.verified_customer
        person = customer.ci  # one kind of id only: a DI would be another "person"
        if not person or not customer.birth_date:
            raise ProviderUnavailable(
                "PortOne's verification carries no CI or birth date: the channel must return them"
            )
        return VerifiedPerson(person, date.fromisoformat(customer.birth_date))
