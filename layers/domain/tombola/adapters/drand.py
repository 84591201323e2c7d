"""drand over HTTPS: the League of Entropy's relays (BEACON_RELAYS), tried in turn. Every round
is verified here against the chain's public key (domain/beacon.py), so a relay can withhold a
round but never forge one."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence

from tombola.domain import beacon
from tombola.domain.beacon import Chain, Round

log = logging.getLogger(__name__)

Get = Callable[[str, float], bytes]


def _get(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (https relays)
        body: bytes = response.read(64 * 1024)
        return body


class DrandBeacon:
    def __init__(
        self,
        relays: Sequence[str],
        chain: Chain = beacon.QUICKNET,
        get: Get = _get,
        timeout: float = 4.0,
    ) -> None:
        bad = [r for r in relays if not r.startswith("https://")]
        if not relays or bad:
            raise ValueError(f"drand relays must be https:// URLs, got {list(relays)!r}")
        self._relays = [r.rstrip("/") for r in relays]
        self._chain = chain
        self._get = get
        self._timeout = timeout

    def chain(self) -> Chain:
        return self._chain

    def _ask(self, which: str, wanted: int | None) -> Round | None:
        for relay in self._relays:
            url = f"{relay}/{self._chain.hash}/public/{which}"
            try:
                body = json.loads(self._get(url, self._timeout))
                number = int(body["round"])
                if wanted is not None and number != wanted:
                    raise ValueError(f"asked for round {wanted}, got {number}")
                return beacon.verify(self._chain, number, str(body["signature"]))
            except (OSError, urllib.error.URLError, ValueError, KeyError, TypeError) as exc:
                log.warning("drand relay %s: round %s: %s", relay, which, exc)
            except beacon.BeaconError as exc:  # a relay serving a forged round: the next one
                log.error("drand relay %s served a round that does not verify: %s", relay, exc)
        return None

    def fetch(self, number: int) -> Round | None:
        return self._ask(str(number), number)

    def latest(self) -> Round | None:
        return self._ask("latest", None)
