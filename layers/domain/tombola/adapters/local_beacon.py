"""A beacon of our own for the local stack and the tests: it signs its rounds exactly as drand's
quicknet does (BLS12-381, signatures on G1), with a key it derives from its secret, so the draw
and every verifier run the same code as against drand. It gives no protection of its own (whoever
holds the secret can sign any round); it is there so that nothing needs the network.

Round r is out once the clock reaches its time less one period, so a test whose clock stands
still at the close still finds the round after it; a round further ahead is not served."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from py_arkworks_bls12381 import G1Point, G2Point, Scalar

from tombola.domain import beacon
from tombola.domain.beacon import Chain, Round
from tombola.ports.clock import Clock

# the order of BLS12-381's groups
_R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
GENESIS = datetime(2024, 1, 1, tzinfo=UTC)


class LocalBeacon:
    def __init__(self, secret: bytes, clock: Clock, period: int = 1) -> None:
        digest = hmac.new(secret, b"tombola local beacon key", hashlib.sha512).digest()
        self._key = Scalar(int.from_bytes(digest, "big") % (_R - 1) + 1)
        public = (G2Point() * self._key).to_compressed_bytes().hex()
        genesis = int(GENESIS.timestamp())
        self._chain = Chain(
            hash=beacon.chain_hash(public, genesis, period, "tombola-local"),
            public_key=public,
            genesis_time=genesis,
            period=period,
            name="tombola-local",
        )
        self._clock = clock

    def chain(self) -> Chain:
        return self._chain

    def _sign(self, number: int) -> Round:
        point = G1Point.hash_to_curve(beacon.message(number), beacon.DST) * self._key
        signature = point.to_compressed_bytes().hex()
        return Round(number, signature, hashlib.sha256(bytes.fromhex(signature)).hexdigest())

    def _out(self) -> int:
        """The newest round out: the last whose time is at or before now plus one period."""
        ahead = self._clock.now() + timedelta(seconds=self._chain.period)
        elapsed = ahead.timestamp() - self._chain.genesis_time
        return int(elapsed // self._chain.period) + 1

    def fetch(self, number: int) -> Round | None:
        if number < 1 or number > self._out():
            return None
        return self._sign(number)

    def latest(self) -> Round | None:
        return self._sign(max(1, self._out()))


class LazyLocalBeacon:
    """The local beacon whose secret is read on first use (a cold start reads no secret)."""

    def __init__(self, secret: Callable[[], bytes], clock: Clock, period: int = 1) -> None:
        self._secret, self._clock, self._period = secret, clock, period
        self._beacon: LocalBeacon | None = None

    def _it(self) -> LocalBeacon:
        if self._beacon is None:
            self._beacon = LocalBeacon(self._secret(), self._clock, self._period)
        return self._beacon

    def chain(self) -> Chain:
        return self._it().chain()

    def fetch(self, number: int) -> Round | None:
        return self._it().fetch(number)

    def latest(self) -> Round | None:
        return self._it().latest()
