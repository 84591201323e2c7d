"""S3 as the photo storage uses it, in memory, for tests that need no moto."""

from __future__ import annotations

import hashlib
import threading

from tombola.ports.photo_storage import StoredPhoto, UploadForm


class Bucket:
    """S3 as the photo storage uses it, in memory: objects by key with an ETag, a copy made only
    of the ETag given."""

    def __init__(self) -> None:
        self.forms: list[str] = []
        self.objects: dict[str, tuple[str, bytes]] = {}
        self.lock = threading.Lock()

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        with self.lock:
            self.forms.append(key)
        return UploadForm(url="https://s3.invalid/b", fields={"key": key})

    def stored(self, key: str, start: int) -> StoredPhoto | None:
        got = self.objects.get(key)
        if got is None:
            return None
        etag = hashlib.md5(got[1]).hexdigest()
        return StoredPhoto(size=len(got[1]), content_type=got[0], start=got[1][:start], etag=etag)

    def publish(self, source: str, target: str, checked: StoredPhoto) -> bool:
        with self.lock:
            got = self.objects.get(source)
            if got is None or hashlib.md5(got[1]).hexdigest() != checked.etag:
                return False
            self.objects[target] = (checked.content_type, got[1])
            return True

    def withdraw(self, key: str) -> None:
        with self.lock:
            self.objects.pop(key, None)

    def url(self, key: str) -> str:
        return f"https://cdn.invalid/{key}"
