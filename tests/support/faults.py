"""Faults for the reliability tests: a domain step that raises, for a while or for good."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock


class Fault(RuntimeError):
    """What a bug, an overflow or a validation error looks like to the state machine."""


@contextmanager
def failing(target: Any, name: str, times: int | None = None) -> Iterator[list[int]]:
    """``target.name`` raises Fault on its first ``times`` calls (every call when None), then
    behaves; yields a one-item list counting the calls made."""
    original: Callable[..., Any] = getattr(target, name)
    calls = [0]
    lock = threading.Lock()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with lock:
            calls[0] += 1
            n = calls[0]
        if times is None or n <= times:
            raise Fault(f"{name} failed (call {n})")
        return original(*args, **kwargs)

    with mock.patch.object(target, name, wrapper):
        yield calls
