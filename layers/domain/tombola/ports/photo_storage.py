"""Where listing photos are kept: a signed upload form the browser posts the file to (the storage
enforces the form's type and size), what is stored under a key, the server-side copy that
publishes a checked upload under the served key, and the URL it is served at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class StoredPhoto:
    size: int
    content_type: str
    start: bytes  # the file's first bytes (its magic number)
    etag: str  # the version read: ``publish`` copies this one or nothing


class PhotoStorage(Protocol):
    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        """A form that stores exactly one object under ``key``, of ``content_type`` and
        ``size`` bytes, for ``expires_in`` seconds."""
        ...

    def stored(self, key: str, start: int) -> StoredPhoto | None:
        """The object under ``key`` as stored, with its first ``start`` bytes (of the same
        version); None when there is none."""
        ...

    def publish(self, source: str, target: str, checked: StoredPhoto) -> bool:
        """Copy the object under ``source`` to ``target`` inside the storage, only if it is
        still the version ``checked`` (its etag), stored with the checked type and the served
        cache header; False (nothing copied) when it is gone or was replaced since."""
        ...

    def withdraw(self, key: str) -> None:
        """Delete the object under ``key`` (a copy no record came to name); nothing if none."""
        ...

    def url(self, key: str) -> str:
        """Where a browser reads the object."""
        ...
