"""A public randomness beacon's rounds (docs/RULES.md, "The draw"): which round follows a time,
and whether a round's BLS signature is the chain's.

drand's quicknet (the League of Entropy) emits round r at genesis + (r − 1) × period; its
signature is a BLS12-381 signature on G1 of SHA-256(r as 8 bytes big-endian) under the chain's
public key on G2 (scheme ``bls-unchained-g1-rfc9380``), and the round's randomness is SHA-256 of
the signature. Its rounds are unchained, so the number of the round that follows a given time is
known in advance, its value only once the League signs it. The local beacon signs the same way
with a key of its own, so one verification serves both.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import drand_verify  # type: ignore[import-untyped]

from tombola.domain.errors import DrawError

SCHEME = "bls-unchained-g1-rfc9380"
DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"


class BeaconError(DrawError):
    """A round that is not what it claims (bad signature, wrong chain, unknown scheme)."""


@dataclass(frozen=True, slots=True)
class Chain:
    """What identifies a beacon chain and lets anyone verify its rounds."""

    hash: str  # the chain's id: SHA-256 of its info, as drand publishes it
    public_key: str  # hex, compressed G2
    genesis_time: int  # unix seconds of round 1
    period: int  # seconds between rounds
    scheme: str = SCHEME
    name: str = "quicknet"

    def as_dict(self) -> dict[str, object]:
        return {
            "hash": self.hash,
            "public_key": self.public_key,
            "genesis_time": self.genesis_time,
            "period": self.period,
            "scheme": self.scheme,
            "name": self.name,
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Chain:
        return cls(
            hash=str(d["hash"]),
            public_key=str(d["public_key"]),
            genesis_time=int(str(d["genesis_time"])),
            period=int(str(d["period"])),
            scheme=str(d.get("scheme", SCHEME)),
            name=str(d.get("name", "quicknet")),
        )


# https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/info
QUICKNET = Chain(
    hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    public_key=(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
        "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
        "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
    ),
    genesis_time=1692803367,
    period=3,
)


@dataclass(frozen=True, slots=True)
class Round:
    """One emitted round: its number, signature (hex) and randomness (hex, SHA-256 of it)."""

    round: int
    signature: str
    randomness: str


def round_time(chain: Chain, number: int) -> datetime:
    return datetime.fromtimestamp(chain.genesis_time + (number - 1) * chain.period, UTC)


def round_at_or_after(chain: Chain, when: datetime) -> int:
    """The first round emitted at or after ``when``."""
    elapsed = when.timestamp() - chain.genesis_time
    if elapsed <= 0:
        return 1
    return math.ceil(elapsed / chain.period) + 1


def message(number: int) -> bytes:
    """What a round's signature signs: SHA-256 of the round number, 8 bytes big-endian."""
    return hashlib.sha256(number.to_bytes(8, "big")).digest()


def verify(chain: Chain, number: int, signature: str) -> Round:
    """The round, if ``signature`` is the chain's signature of ``number``; BeaconError if not."""
    if chain.scheme != SCHEME:
        raise BeaconError(f"beacon scheme {chain.scheme!r} is not {SCHEME!r}")
    if number < 1:
        raise BeaconError(f"round {number} does not exist")
    try:
        sig = bytes.fromhex(signature)
        randomness = drand_verify.verify_bls_unchained_g1_rfc9380(
            number, signature, chain.public_key
        )
    except ValueError as exc:
        raise BeaconError(
            f"round {number}'s signature does not verify under chain {chain.hash[:12]}…"
        ) from exc
    if randomness != hashlib.sha256(sig).hexdigest():  # the library's promise, checked
        raise BeaconError(f"round {number}'s randomness is not SHA-256 of its signature")
    return Round(number, signature.lower(), randomness)


def chain_hash(public_key: str, genesis_time: int, period: int, label: str) -> str:
    """An id for a chain of our own (the local beacon), over what identifies it."""
    text = f"{label}|{SCHEME}|{public_key}|{genesis_time}|{period}"
    return hashlib.sha256(text.encode()).hexdigest()


QUICKNET_MARGIN = 6  # seconds: with quicknet the rules fix the margin, so no transcript restates it
FALLBACK_AFTER = 300  # seconds after a round's time before the draw gives up on it


def margin_for(chain: Chain, configured: int) -> int:
    return QUICKNET_MARGIN if chain.hash == QUICKNET.hash else configured


def planned_round(chain: Chain, closes_at: datetime, margin_seconds: int) -> int:
    """The round a listing fixes at publish: the first at or after its close plus the margin
    (times to the millisecond, as every verifier reads them)."""
    return round_at_or_after(chain, whole_ms(closes_at) + timedelta(seconds=margin_seconds))


def draw_round(
    chain: Chain,
    planned: int,
    closes_at: datetime,
    closed_at: datetime,
    sealed_at: datetime,
    margin_seconds: int,
) -> tuple[int, str | None]:
    """The round the draw waits for, and why it is not the planned one when it is not. The
    entries are sealed (E and M published) at ``sealed_at``; a listing that filled before its
    time, or was sealed after its planned round came out, takes the first round at or after the
    seal plus the margin instead, so the round always follows the published entries."""
    closes_at, closed_at, sealed_at = whole_ms(closes_at), whole_ms(closed_at), whole_ms(sealed_at)
    after_seal = round_at_or_after(chain, sealed_at + timedelta(seconds=margin_seconds))
    if closed_at < closes_at:
        return after_seal, "closed early (full): the first round after the seal plus the margin"
    if round_time(chain, planned) < sealed_at:
        return after_seal, "sealed after the planned round: the first round after the seal"
    return planned, None


def fallback_round(chain: Chain, due: int) -> int:
    """The one round a draw may take instead of ``due``, when ``due`` cannot be fetched
    FALLBACK_AFTER seconds after its time: fixed by rule, so a withheld round leaves no choice
    among the later ones."""
    return round_at_or_after(chain, round_time(chain, due) + timedelta(seconds=FALLBACK_AFTER))


def chain_problem(chain: Chain) -> str | None:
    """Whether the chain is what it says: quicknet itself, or a chain of its own whose hash is
    computed from its description (so no key can pass for quicknet's)."""
    if chain.hash == QUICKNET.hash:
        return None if chain == QUICKNET else "the chain calls itself quicknet but is not quicknet"
    if chain.hash != chain_hash(chain.public_key, chain.genesis_time, chain.period, chain.name):
        return "the chain's hash is not the hash of its key, genesis, period and name"
    return None


def whole_ms(when: datetime) -> datetime:
    """A time to the millisecond, as every verifier (a browser's Date too) reads it."""
    return when.replace(microsecond=when.microsecond // 1000 * 1000)
