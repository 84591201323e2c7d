"""Everything a service needs from outside, wired once per cold start (adapters/container.py)."""

from __future__ import annotations

from dataclasses import dataclass

from tombola.config import Settings
from tombola.ports.clock import Clock, Randomness
from tombola.ports.identity import IdentityVerifier
from tombola.ports.payment_provider import PaymentProvider
from tombola.ports.photo_storage import PhotoStorage
from tombola.ports.randomness_beacon import Beacon
from tombola.ports.runtime import EventPublisher, Ids, RequestOnce, Secrets, Telemetry, Workflow
from tombola.ports.store import Store


@dataclass
class Deps:
    store: Store
    clock: Clock
    randomness: Randomness
    payments: PaymentProvider
    workflow: Workflow
    events: EventPublisher
    ids: Ids
    settings: Settings
    requests: RequestOnce
    secrets: Secrets
    telemetry: Telemetry
    # listing photos: only the listings function is given the bucket (template.yaml)
    photos: PhotoStorage | None = None
    # who a person is and their birth date (PortOne's identity verification, or the sandbox's)
    identity: IdentityVerifier | None = None
    # the public randomness the draw mixes in (drand, or the local beacon)
    beacon: Beacon | None = None
