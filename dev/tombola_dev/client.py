"""A small HTTP client for the local stack (demo, command line, end-to-end tests)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tombola_dev import auth


def default_url() -> str:
    """TOMBOLA_URL, else the local stack on PORT (3000)."""
    return os.environ.get("TOMBOLA_URL", f"http://127.0.0.1:{os.environ.get('PORT', '3000')}")


class ApiError(Exception):
    def __init__(self, status: int, body: Any, what: str) -> None:
        super().__init__(f"{what} -> {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class Client:
    base_url: str
    timeout: float = 30.0

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(  # noqa: S310 - the local stack's own URL
            self.base_url.rstrip("/") + path, data=data, method=method
        )
        request.add_header("content-type", "application/json")
        for k, v in (headers or {}).items():
            request.add_header(k, v)
        if token:
            request.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode()
        try:
            return status, json.loads(text) if text else None
        except json.JSONDecodeError:
            return status, text

    def ok(self, method: str, path: str, body: Any = None, *, expect: int = 200, **kw: Any) -> Any:
        status, out = self.call(method, path, body, **kw)
        if status != expect:
            raise ApiError(status, out, f"{method} {path}")
        return out


@dataclass
class User:
    """A person using the API with a locally minted token."""

    client: Client
    user_id: str
    groups: tuple[str, ...]

    def __post_init__(self) -> None:
        self.token = auth.mint(self.user_id, list(self.groups))

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return self.client.call(method, path, body, token=self.token)

    def ok(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        return self.client.ok(method, path, body, expect=expect, token=self.token)
