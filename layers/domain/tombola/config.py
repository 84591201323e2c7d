"""Operator policy, default durations and the resources a function uses, read and validated
once, at cold start, from the environment template.yaml gives the function."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tombola.domain.money import CURRENCIES, Money
from tombola.domain.pricing import CurrencyPolicy, DepositPolicy, SurplusPolicy
from tombola.domain.responsible import MARKETS, Market, PlayPolicy

DEADLINES = ("second_payment", "ship", "delivery", "confirm", "resolution")


NonEmpty = Annotated[str, Field(min_length=1)]
Seconds = Annotated[int, Field(gt=0)]
Amount = Annotated[int, Field(ge=0)]
Bps = Annotated[int, Field(ge=0, le=10_000)]


class CurrencyAmounts(BaseModel):
    """The fee k and the fixed deposit (0: the rate applies) of one currency, in its own minor
    units: USD 150 is $1.50."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fee: Amount = 0
    deposit_fixed: Amount = 0


class ConfigurationError(ValueError):
    """A function started with a variable missing or wrong: it fails its cold start."""


class Settings(BaseSettings):
    """What every function reads from the environment template.yaml gives it (its Globals).

    Each function declares the variables it needs beyond these in its own subclass (in its
    app.py), validated at cold start: a variable missing from template.yaml fails the function's
    first invocation with the variable's name, not a request much later."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    table_name: NonEmpty
    event_bus_name: NonEmpty
    deposit_fixed: Amount
    deposit_rate_bps: Bps
    fee_k: Amount
    # The fee and fixed deposit of each currency but KRW (whose are FEE_K and DEPOSIT_FIXED), as
    # JSON: {"USD": {"fee": 150, "deposit_fixed": 0}, ...}; see currency_policy.
    currency_amounts: dict[str, CurrencyAmounts] = Field(default_factory=dict)
    surplus_policy_default: SurplusPolicy
    mileage_bps: Bps
    ticket_limit_default: Annotated[int, Field(ge=1)]
    hold_seconds: Seconds
    deposit_expiry_seconds: Seconds
    second_payment_seconds: Seconds
    ship_seconds: Seconds
    delivery_seconds: Seconds
    confirm_seconds: Seconds
    resolution_seconds: Seconds
    # What a seller may choose for each deadline (seconds), and how far ahead a listing may close.
    second_payment_seconds_min: Seconds
    second_payment_seconds_max: Seconds
    ship_seconds_min: Seconds
    ship_seconds_max: Seconds
    delivery_seconds_min: Seconds
    delivery_seconds_max: Seconds
    confirm_seconds_min: Seconds
    confirm_seconds_max: Seconds
    resolution_seconds_min: Seconds
    resolution_seconds_max: Seconds
    max_open_days: Annotated[int, Field(ge=1)]
    webhook_tolerance_seconds: Seconds = 300
    # Responsible play (docs/COMPLIANCE.md): the market sets the defaults, each overridable
    # ("market": as the market says).
    market: Market = Market.NONE
    minimum_age: Annotated[int, Field(ge=0, le=25)] = 0  # 0: the market's
    identity_required: Literal["market", "yes", "no"] = "market"
    free_entry: Annotated[str, Field(pattern=r"^(market|off|[1-9])$")] = "market"  # or a cap
    limit_prompt: Literal["market", "yes", "no"] = "market"
    portone_identity_channel_key: str = ""  # with portone: the identity verification channel
    # Only some functions are given these; their subclasses make them required.
    state_machine_arn: str = ""
    webhook_secret_arn: str = ""  # {"current": ..., "previous": ...}: both verify in a rotation
    carrier_secret_arn: str = ""  # the carrier's own, the same shape and rotation
    pseudonym_key_arn: str = ""  # {"key": ...}: keys the public pseudonyms
    idempotency_table: str = ""
    sender_email: str = ""
    # Who takes the money: the built-in sandbox, or PortOne V2 (docs/OPERATIONS.md).
    payment_provider: Literal["sandbox", "portone"] = "sandbox"
    portone_secret_arn: str = ""  # {"api_secret", "webhook_secret", "store_id"}
    checkout_page_url: str = ""  # with portone: our page that opens PortOne's payment window
    photo_bucket: str = ""  # listing photos (the listings function's)
    photo_base_url: str = ""  # where they are served: https://<the web distribution>
    # The draw's public randomness (docs/RULES.md, "The draw"): drand's quicknet through these
    # relays, or the local beacon (the local stack, the tests) keyed by its secret.
    beacon: Literal["local", "drand"] = "drand"
    beacon_relays: str = "https://api.drand.sh,https://api2.drand.sh,https://drand.cloudflare.com"
    beacon_key_arn: str = ""  # {"key": ...}: the local beacon's
    beacon_margin_seconds: Annotated[int, Field(ge=0, le=3600)] = 6  # local only: drand's is 6

    @field_validator("currency_amounts", mode="before")
    @classmethod
    def _amounts_from_json(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @model_validator(mode="after")
    def _amounts_of_known_currencies(self) -> Settings:
        for code in self.currency_amounts:
            if code == "KRW":
                raise ValueError("CURRENCY_AMOUNTS: KRW's are FEE_K and DEPOSIT_FIXED")
            if code not in CURRENCIES:
                raise ValueError(f"CURRENCY_AMOUNTS: {code!r} is not one of {sorted(CURRENCIES)}")
        return self

    @model_validator(mode="after")
    def _defaults_within_bounds(self) -> Settings:
        for name, (low, high) in self.deadline_bounds.items():
            default = getattr(self, f"{name}_seconds")
            if not low <= default <= high:
                raise ValueError(f"{name}: the default {default} s must lie within {low}..{high} s")
        return self

    @property
    def play_policy(self) -> PlayPolicy:
        base = MARKETS[self.market]

        def chosen(value: str, default: bool) -> bool:
            return default if value == "market" else value == "yes"

        return PlayPolicy(
            market=base.market,
            minimum_age=self.minimum_age or base.minimum_age,
            identity_required=chosen(self.identity_required, base.identity_required),
            free_entry_cap=base.free_entry_cap
            if self.free_entry == "market"
            else 0
            if self.free_entry == "off"
            else int(self.free_entry),
            limit_prompt=chosen(self.limit_prompt, base.limit_prompt),
            time_zone=base.time_zone,
            phone_region=base.phone_region,
        )

    @property
    def deadline_bounds(self) -> dict[str, tuple[int, int]]:
        return {
            name: (getattr(self, f"{name}_seconds_min"), getattr(self, f"{name}_seconds_max"))
            for name in DEADLINES
        }

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only what from_env passes: several functions share one process in the tests and the
        # local stack, and one function must not pick up another's variables from os.environ.
        return (init_settings,)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """Validated from ``env`` (the process environment by default)."""
        source = os.environ if env is None else env
        names = set(cls.model_fields)
        values: dict[str, Any] = {k.lower(): v for k, v in source.items() if k.lower() in names}
        try:
            return cls(**values)
        except ValidationError as err:
            problems = "; ".join(
                ": ".join(filter(None, [".".join(map(str, e["loc"])).upper(), e["msg"]]))
                for e in err.errors()
            )
            raise ConfigurationError(f"{cls.__name__}: {problems}") from None

    def currency_policy(self, currency: str) -> CurrencyPolicy | None:
        """The fee and deposit rule of a listing priced in ``currency``, in its minor units:
        KRW's from FEE_K and DEPOSIT_FIXED, another's from CURRENCY_AMOUNTS. A currency not
        given there gets no fee and the deposit rate when FEE_K and DEPOSIT_FIXED are both 0
        (nothing to convert); otherwise None: the operator has set no amounts for it."""
        if currency == "KRW":
            fee, fixed = self.fee_k, self.deposit_fixed
        elif currency in self.currency_amounts:
            amounts = self.currency_amounts[currency]
            fee, fixed = amounts.fee, amounts.deposit_fixed
        elif self.fee_k == 0 and self.deposit_fixed == 0:
            fee, fixed = 0, 0
        else:
            return None
        deposit = (
            DepositPolicy(fixed=Money(fixed, currency))
            if fixed > 0
            else DepositPolicy(rate_bps=self.deposit_rate_bps)
        )
        return CurrencyPolicy(fee=Money(fee, currency), deposit=deposit)


class PaymentSettings(Settings):
    """For the functions that talk to the payment provider (checkouts, webhooks, refunds,
    payouts): with PortOne, its secret and the checkout page are required."""

    portone_secret_arn: NonEmpty

    @model_validator(mode="after")
    def _portone_configured(self) -> PaymentSettings:
        if self.payment_provider == "portone":
            for name in ("portone_secret_arn", "checkout_page_url"):
                if not getattr(self, name):
                    raise ValueError(f"{name.upper()} is needed with PAYMENT_PROVIDER=portone")
        return self
