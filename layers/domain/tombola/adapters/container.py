"""Wires the ports to their adapters from the environment. Tests and the local stack override
single ports (the clock, randomness) with ``override``; everything else stays as deployed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import boto3
from aws_lambda_powertools.utilities.parameters.exceptions import (
    GetParameterError,
    TransformParameterError,
)
from botocore.config import Config

from tombola.adapters.aws import EventBridgePublisher, StepFunctionsWorkflow
from tombola.adapters.drand import DrandBeacon
from tombola.adapters.dynamo import DynamoStore
from tombola.adapters.idempotency import NoIdempotency, RequestIdempotency
from tombola.adapters.local_beacon import LazyLocalBeacon
from tombola.adapters.observability import PowertoolsTelemetry
from tombola.adapters.portone import (
    PORTONE_API,
    DynamoCheckoutBook,
    PortOneCredentials,
    PortOnePaymentProvider,
)
from tombola.adapters.portone_identity import PortOneIdentityVerifier
from tombola.adapters.s3_photos import S3PhotoStorage
from tombola.adapters.sandbox_identity import SANDBOX_IDENTITY_URL, SandboxIdentityVerifier
from tombola.adapters.sandbox_psp import SANDBOX_URL, SandboxPaymentProvider, WebhookSigning
from tombola.adapters.secrets import SecretsManagerSecrets
from tombola.config import Settings
from tombola.domain.errors import ProviderUnavailable
from tombola.domain.signatures import signing_secrets
from tombola.ports.clock import Clock, SystemClock, SystemRandomness
from tombola.ports.identity import IdentityVerifier
from tombola.ports.payment_provider import PaymentProvider
from tombola.ports.randomness_beacon import Beacon
from tombola.ports.runtime import Secrets
from tombola.services.deps import Deps

log = logging.getLogger(__name__)


class UuidIds:
    def new(self, prefix: str) -> str:
        return f"{prefix}{uuid.uuid4().hex[:20]}"


_deps: Deps | None = None
_overrides: dict[str, Any] = {}
# When several functions share one process (tests, the local stack), each invocation names the
# environment template.yaml gives its function, so a variable missing there is missing here too.
_function_env: ContextVar[Mapping[str, str] | None] = ContextVar("function_env", default=None)
_by_env: dict[tuple[tuple[str, str], ...], Deps] = {}
_settings: dict[tuple[tuple[str, str], ...] | None, Settings] = {}

S = TypeVar("S", bound=Settings)


def _env_key() -> tuple[tuple[str, str], ...] | None:
    env = _function_env.get()
    return None if env is None else tuple(sorted(env.items()))


def cold_start(model: type[S]) -> S:
    """A function's settings, validated against its environment when its module loads: a
    variable template.yaml does not give it fails the cold start (ConfigurationError)."""
    env = _function_env.get()
    settings = model.from_env(env)
    _settings[_env_key()] = settings
    return settings


def _portone_credentials(s: Settings, secrets: Secrets) -> PortOneCredentials:
    try:
        value = secrets.json(s.portone_secret_arn) if s.portone_secret_arn else {}
    except (GetParameterError, TransformParameterError, RuntimeError) as err:
        # created empty (no value until the operator puts one), or not a JSON object
        log.error("the PortOne secret cannot be read: %s", err)
        value = {}
    if not all(value.get(k) for k in ("api_secret", "webhook_secret", "store_id")):
        log.error("the PortOne secret is not filled in (docs/OPERATIONS.md)")
        raise ProviderUnavailable("payments are not configured yet; try again later")
    return PortOneCredentials(
        api_secret=value["api_secret"],
        webhook_secret=value["webhook_secret"],
        store_id=value["store_id"],
        api_url=value.get("api_url") or PORTONE_API,
    )


def payment_provider(s: Settings, clock: Clock, dynamodb: Any, secrets: Secrets) -> PaymentProvider:
    """PortOne or the sandbox, as the PaymentProvider template parameter says."""
    if s.payment_provider == "portone":

        def credentials() -> PortOneCredentials:
            return _portone_credentials(s, secrets)

        book = DynamoCheckoutBook(s.table_name, dynamodb)
        payers = DynamoStore(s.table_name, clock, dynamodb).get_profile
        return PortOnePaymentProvider(credentials, book, s.checkout_page_url, payers)
    signing = WebhookSigning(
        secrets=lambda: (
            signing_secrets(secrets.json(s.webhook_secret_arn)) if s.webhook_secret_arn else []
        ),
        now=lambda: int(clock.now().timestamp()),
        tolerance_seconds=s.webhook_tolerance_seconds,
    )
    checkout_url = _overrides.get("checkout_url") or SANDBOX_URL
    return SandboxPaymentProvider(s.table_name, dynamodb, checkout_url, signing, clock)


def identity_verifier(s: Settings, dynamodb: Any, secrets: Secrets) -> IdentityVerifier:
    """PortOne's identity verification with PortOne payments, the sandbox's otherwise."""
    if s.payment_provider == "portone":
        return PortOneIdentityVerifier(
            lambda: _portone_credentials(s, secrets), s.portone_identity_channel_key
        )
    url = _overrides.get("identity_url") or SANDBOX_IDENTITY_URL
    return SandboxIdentityVerifier(s.table_name, dynamodb, url)


def beacon_source(s: Settings, clock: Clock, secrets: Secrets) -> Beacon:
    """drand's quicknet through the relays, or the local beacon (its key lazily from its
    secret: only the functions that publish and draw are given it)."""
    if s.beacon == "drand":
        return DrandBeacon([r.strip() for r in s.beacon_relays.split(",") if r.strip()])
    return LazyLocalBeacon(lambda: secrets.json(s.beacon_key_arn)["key"].encode(), clock)  # noqa: PLW0108


def build(settings: Settings | None = None) -> Deps:
    s = settings or _settings.get(None) or Settings.from_env()
    clock = _overrides.get("clock") or SystemClock()
    dynamodb = boto3.client("dynamodb")
    secrets = SecretsManagerSecrets()
    return Deps(
        store=DynamoStore(s.table_name, clock, dynamodb),
        clock=clock,
        randomness=_overrides.get("randomness") or SystemRandomness(),
        payments=_overrides.get("payments") or payment_provider(s, clock, dynamodb, secrets),
        workflow=StepFunctionsWorkflow(s.state_machine_arn, boto3.client("stepfunctions")),
        events=EventBridgePublisher(s.event_bus_name, boto3.client("events")),
        ids=_overrides.get("ids") or UuidIds(),
        settings=s,
        requests=RequestIdempotency(s.idempotency_table, dynamodb)
        if s.idempotency_table
        else NoIdempotency(),
        secrets=secrets,
        telemetry=_overrides.get("telemetry") or PowertoolsTelemetry(),
        photos=photo_storage(s),
        identity=_overrides.get("identity") or identity_verifier(s, dynamodb, secrets),
        beacon=_overrides.get("beacon") or beacon_source(s, clock, secrets),
    )


def photo_storage(s: Settings) -> S3PhotoStorage | None:
    """The photos bucket, for the functions template.yaml gives it to (the listings function);
    the local stack serves the photos and receives the uploads itself (``override``)."""
    if not s.photo_bucket:
        return None
    return S3PhotoStorage(
        s.photo_bucket,
        boto3.client("s3", config=Config(signature_version="s3v4")),  # regions since 2014: v4 only
        _overrides.get("photo_base_url") or s.photo_base_url,
        _overrides.get("photo_upload_url"),
    )


def deps() -> Deps:
    """The process's ports, built on first use (a Lambda container keeps them warm)."""
    global _deps  # noqa: PLW0603
    env = _function_env.get()
    if env is not None:
        key = tuple(sorted(env.items()))
        if key not in _by_env:
            _by_env[key] = build(_settings.get(key) or Settings.from_env(env))
        return _by_env[key]
    if _deps is None:
        _deps = build()
    return _deps


def override(**ports: Any) -> None:
    """Replace ports (clock=, randomness=, payments=, ids=, telemetry=) for tests and the local
    stack; checkout_url= is where the sandbox's checkouts are paid (the local stack's port);
    photo_base_url= where photos are served and photo_upload_url= where their upload forms are
    posted (the local stack's own routes: a browser cannot reach moto's S3)."""
    global _deps  # noqa: PLW0603
    _overrides.update(ports)
    _deps = None
    _by_env.clear()


def reset() -> None:
    global _deps  # noqa: PLW0603
    _overrides.clear()
    _deps = None
    _by_env.clear()
    _settings.clear()


@contextmanager
def function_environment(env: Mapping[str, str]) -> Iterator[None]:
    """Run one function's invocation with the environment its template entry declares."""
    token = _function_env.set(env)
    try:
        yield
    finally:
        _function_env.reset(token)
