"""Powertools keeps the event being resolved on the BaseRouter class (``BaseRouter.current_event``
and ``lambda_context``): one per process, which is right in Lambda, where a container handles one
event at a time. Here many functions share one process and threads stand in for concurrent
containers, so those two are made per thread for as long as the stack runs. So is each resolver's
``context`` (the route being served, read to pick its status code), per resolver and thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

PER_THREAD = ("current_event", "lambda_context")
_local = threading.local()


def _slot(name: str) -> property:
    def get(_: Any) -> Any:
        try:
            return getattr(_local, name)
        except AttributeError:
            raise AttributeError(name) from None

    def put(_: Any, value: Any) -> None:
        setattr(_local, name, value)

    return property(get, put)


def _context_slot() -> property:
    def get(router: Any) -> Any:
        return _local.__dict__.setdefault(f"context-{id(router)}", {})

    def put(router: Any, value: Any) -> None:
        _local.__dict__[f"context-{id(router)}"] = value

    return property(get, put)


_installed = False


@contextmanager
def per_thread_router_state() -> Iterator[None]:
    """Install once (it is harmless afterwards: each thread sees what it set)."""
    global _installed  # noqa: PLW0603
    if not _installed:
        for name in PER_THREAD:
            type.__setattr__(BaseRouter, name, _slot(name))  # what instances read
        type.__setattr__(BaseRouter, "context", _context_slot())
        meta = type(BaseRouter)
        BaseRouter.__class__ = type(  # type: ignore[method-assign]  # BaseRouter.<name> = v
            "PerThreadRouterMeta", (meta,), {name: _slot(name) for name in PER_THREAD}
        )
        _installed = True
    yield
