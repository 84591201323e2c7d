"""Request bodies of the HTTP API. Unknown fields are refused; amounts are whole minor units."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tombola.api.phones import NotAPhoneNumber, e164, example
from tombola.domain.banks import (
    ACCOUNT_DIGITS,
    BANKS,
    HOLDER_NAME_CHARS,
    WrongAccountNumber,
    WrongHolderName,
    account_number,
    bank_of,
    holder_name,
)
from tombola.domain.money import MAX_AMOUNT
from tombola.domain.photos import MAX_PHOTO_BYTES
from tombola.domain.pricing import SurplusPolicy
from tombola.domain.tracking import WrongCarrier, WrongTrackingNumber, carrier_name, tracking_number

Amount = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT)]
MAX_EXPECTED_ENTRANTS = 10_000_000
# The most tickets a seller may let one buyer hold.
MAX_TICKET_LIMIT = 100
# A listing's currency, from the ones the platform settles in (money.CURRENCIES).
Currency = Literal["KRW", "USD", "EUR", "JPY"]
# What a provider reports: any ISO code (a payment in another currency is refunded as it came).
AnyCurrency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Epoch = Annotated[StrictInt, Field(ge=0, le=10**11)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


def _phone(typed: str) -> str:
    try:
        return e164(typed)
    except NotAPhoneNumber:
        abroad = example("GB" if example() == example("KR") else "KR", abroad=True)
        raise PydanticCustomError(
            "phone_invalid",
            "not a phone number: type it as {example}, or {abroad} abroad",
            {"example": example(), "abroad": abroad},
        ) from None


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RefundAccountIn(Input):
    """Where a refund of a virtual-account (가상계좌) payment goes: such a payment has no card to
    go back to, so the provider needs a bank account."""

    bank: Annotated[
        str,
        Field(
            pattern=r"^[A-Z][A-Z_]{1,39}$",
            description="PortOne's bank code, e.g. KOOKMIN, SHINHAN, WOORI, HANA, NONGHYUP",
        ),
    ]
    number: Annotated[str, Field(min_length=6, max_length=30, description="digits; - allowed")]
    holder_name: Text

    @field_validator("number")
    @classmethod
    def _digits(cls, value: str) -> str:
        digits = unicodedata.normalize("NFKC", value).replace("-", "").replace(" ", "")
        if not digits.isdigit() or not 6 <= len(digits) <= 20:
            raise ValueError("an account number is 6 to 20 digits (hyphens and spaces allowed)")
        return digits


class PayoutAccountIn(Input):
    """Where a seller's payouts go: a Korean bank, an account number as typed (kept as its
    digits), the holder's name as the bank has it (tombola.domain.banks)."""

    bank: Annotated[
        str,
        Field(
            max_length=3,
            description="the bank's three-digit code: "
            + ", ".join(f"{b.code} {b.name}" for b in BANKS),
        ),
    ]
    number: Annotated[
        str,
        Field(
            max_length=40,
            description=f"as typed, with hyphens, spaces or full-width digits; kept as its "
            f"digits, {ACCOUNT_DIGITS[0]} to {ACCOUNT_DIGITS[1]} of them",
        ),
    ]
    holder_name: Annotated[
        str,
        Field(
            max_length=200,
            description=f"as the bank has it (any script; at most {HOLDER_NAME_CHARS} "
            "characters once spaces are collapsed); no control characters",
        ),
    ]

    @field_validator("bank")
    @classmethod
    def _bank(cls, value: str) -> str:
        if bank_of(value) is None:
            raise PydanticCustomError(
                "bank_unknown", "choose a bank from the list (its three-digit code)"
            )
        return value

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        try:
            return account_number(value)
        except WrongAccountNumber as wrong:
            raise PydanticCustomError(
                "account_number_invalid",
                "an account number is {min_digits} to {max_digits} digits; hyphens and spaces "
                "are fine",
                {
                    "min_digits": ACCOUNT_DIGITS[0],
                    "max_digits": ACCOUNT_DIGITS[1],
                    "digits": wrong.count,
                },
            ) from None

    @field_validator("holder_name")
    @classmethod
    def _holder(cls, value: str) -> str:
        try:
            return holder_name(value)
        except WrongHolderName as wrong:
            raise PydanticCustomError(
                "holder_name_invalid",
                "{why}",
                {"why": str(wrong), "max_length": HOLDER_NAME_CHARS},
            ) from None


class ProfileIn(Input):
    name: Text
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
    phone: Annotated[str, Field(max_length=40), AfterValidator(_phone)]
    address: Annotated[str, Field(min_length=1, max_length=1000)]
    payout_account: PayoutAccountIn | None = Field(
        default=None, description="a seller's: where their payouts go"
    )
    refund_account: RefundAccountIn | None = None


# Seconds: the operator's bounds (template parameters) apply on top; this only keeps numbers sane.
Seconds = Annotated[StrictInt, Field(gt=0, le=10**9)]


class DeadlinesIn(Input):
    """Seconds; each defaults to the operator's setting and must lie within its bounds."""

    second_payment: Seconds | None = None
    ship: Seconds | None = None
    delivery: Seconds | None = None
    confirm: Seconds | None = None
    resolution: Seconds | None = None


class ListingIn(Input):
    title: Text
    description: Annotated[str, Field(max_length=5000)] = ""
    price: Amount
    currency: Currency = "KRW"
    expected_entrants: Annotated[StrictInt, Field(gt=1, le=MAX_EXPECTED_ENTRANTS)] | None = None
    first_payment: Amount | None = None
    ticket_limit: Annotated[StrictInt, Field(ge=1, le=MAX_TICKET_LIMIT)] | None = None
    closes_at: datetime
    close_when_full: StrictBool = True
    surplus_policy: SurplusPolicy | None = None
    deadlines: DeadlinesIn = Field(default_factory=DeadlinesIn)

    @model_validator(mode="after")
    def _np_or_p1(self) -> ListingIn:
        if (self.expected_entrants is None) == (self.first_payment is None):
            raise ValueError("give exactly one of expected_entrants and first_payment")
        if self.closes_at.tzinfo is None:
            raise ValueError("closes_at needs a time zone, e.g. 2026-12-01T12:00:00Z")
        return self


class EntryIn(Input):
    tickets: Annotated[StrictInt, Field(ge=1, le=MAX_TICKET_LIMIT)]
    payment_method: Literal["card", "mileage"] = "card"


class ShipmentIn(Input):
    carrier: Annotated[str, Field(min_length=1, max_length=100)]
    tracking_number: Annotated[
        str,
        Field(
            min_length=1,
            max_length=100,
            description="a Korean carrier's (CJ대한통운, 한진, 롯데, 우체국, 로젠) as typed, with "
            "spaces, hyphens or full-width digits: kept as its digits, which must be as many as "
            "that carrier's numbers have; any other carrier's as free text",
        ),
    ]

    @field_validator("carrier")
    @classmethod
    def _carrier(cls, value: str) -> str:
        try:
            return carrier_name(value)
        except WrongCarrier:
            raise PydanticCustomError(
                "carrier_invalid",
                "a carrier's name is {allowed} only",
                {"allowed": "letters, digits, spaces, hyphens, '&' and brackets"},
            ) from None

    @field_validator("tracking_number")
    @classmethod
    def _tracking(cls, value: str, info: ValidationInfo) -> str:
        carrier = info.data.get("carrier")
        if carrier is None:  # the carrier's own problem is said instead
            return value
        try:
            return tracking_number(carrier, value)
        except WrongTrackingNumber as wrong:
            if wrong.carrier is None:
                raise PydanticCustomError(
                    "tracking_number_invalid",
                    "a tracking number is {allowed} only",
                    {"allowed": "letters, digits, hyphens and spaces"},
                ) from None
            raise PydanticCustomError(
                "tracking_number_invalid",
                "a {carrier} tracking number is digits only, as many as one of {lengths}",
                {
                    "carrier": wrong.carrier.name,
                    "lengths": ",".join(str(n) for n in wrong.carrier.lengths),
                    "digits": wrong.count,
                },
            ) from None


# What the buyer and the seller write in a dispute: several lines of any language, bounded.
MAX_DISPUTE_TEXT = 1000


def _plain_text(value: object) -> object:
    """Line breaks as ``\n`` (a browser sends ``\r\n``), the text composed (NFC: Korean typed
    as separate jamo counts as its syllables), and no control character but the line break
    (no NUL, escape, tab or text-reordering mark). Applied before the bounds, so they count what
    is kept; anything not a string is left for the type check to refuse."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    # no control or format character (Cc, Cf: NUL, escape, tab, zero-width and direction
    # marks) but the line break; what is left trimmed, so an answer of nothing visible is empty
    return "".join(
        c for c in text if c == "\n" or unicodedata.category(c) not in {"Cc", "Cf"}
    ).strip()


DisputeText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_DISPUTE_TEXT,
        description=f"several lines (line breaks kept, other control characters removed), at "
        f"most {MAX_DISPUTE_TEXT} characters",
    ),
    BeforeValidator(_plain_text),  # (after the Field: its bounds stay the string's own)
]


class DisputeIn(Input):
    reason: DisputeText


class ComplaintIn(Input):
    """A complaint to the operator about the service (a goods problem is a dispute)."""

    topic: Literal["account", "payment", "draw", "listing", "limits", "other"]
    text: DisputeText
    listing_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")] | None = (
        None
    )


class ComplaintAnswerIn(Input):
    user_id: Annotated[str, Field(min_length=1, max_length=128)]
    complaint_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")]
    answer: DisputeText


class DisputeAnswerIn(Input):
    """The seller's one answer to the buyer's dispute, for the operator and the buyer."""

    answer: DisputeText


class ResolutionIn(Input):
    decision: Literal["release", "refund"]
    note: Annotated[str, Field(max_length=2000)] = ""


class PayoutConfirmIn(Input):
    transfer_reference: Annotated[str, Field(min_length=1, max_length=200)]


class DeadEffectsResolveIn(Input):
    note: Annotated[str, Field(min_length=1, max_length=500, description="what was done by hand")]


class CarrierData(Input):
    listing_id: Annotated[str, Field(min_length=1, max_length=100)]
    tracking_number: Annotated[str, Field(min_length=1, max_length=100)]
    location: Annotated[str, Field(max_length=500)] = ""
    at: datetime | None = None
    detail: Annotated[str, Field(max_length=2000)] = ""


class CarrierEventIn(Input):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    type: Literal["shipment.in_transit", "shipment.delivered", "shipment.accident"]
    created: Epoch
    data: CarrierData


class NotesReadIn(Input):
    upto: Annotated[str, Field(min_length=1, max_length=100, description="the newest note read")]


class UndeliveredDismissIn(Input):
    """A note on the operator's undelivered list, as the list names it."""

    user_id: Annotated[str, Field(min_length=1, max_length=128)]
    note_id: Annotated[str, Field(min_length=1, max_length=100)]


# A photo's type, as the upload form fixes it (tombola.domain.photos.PHOTO_TYPES, in words here
# so that the OpenAPI document lists them).
PhotoType = Literal["image/jpeg", "image/png", "image/webp"]


class PhotoUploadIn(Input):
    """The photo a seller is about to upload: its type and exact size in bytes."""

    content_type: PhotoType
    size: Annotated[
        StrictInt,
        Field(gt=0, le=MAX_PHOTO_BYTES, description="bytes (at most 5 MB)", examples=[245_760]),
    ]


# ------------------------------------------------------------------------ responsible play
LimitAmount = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT)]


class VerificationIn(Input):
    verification_id: Annotated[
        str, Field(min_length=1, max_length=100, pattern=r"^idv-[0-9a-f]{16}-[0-9a-f]{20}$")
    ]


class SpendLimitsIn(Input):
    """Limits in one currency's minor units; null: no limit in that window; 0 allowed."""

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "KRW"
    day: LimitAmount | None = None
    week: LimitAmount | None = None
    month: LimitAmount | None = None

    @field_validator("week", "month")
    @classmethod
    def _nested(cls, value: int | None, info: ValidationInfo) -> int | None:
        # a week's limit below the day's (or a month's below the week's) would be the real
        # one: refused on the longer period's field, which is the one to raise
        shorter = ("day",) if info.field_name == "week" else ("day", "week")
        for short in shorter:
            below = info.data.get(short)
            if value is not None and below is not None and below > value:
                raise PydanticCustomError(
                    "limits_nested",
                    "the {short} limit cannot be more than the {long} limit",
                    {"short": short, "long": str(info.field_name)},
                )
        return value


class BreakIn(Input):
    days: Literal[1, 7, 30, 90, 180]


class ExclusionIn(Input):
    months: Literal[6, 12, 24, 60]
    confirm: Literal[True] = Field(
        description="true: the person read that it cannot be lifted early"
    )
