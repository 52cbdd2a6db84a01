"""Content-addressed file storage: a blob's name is the SHA-256 of its bytes.

``LocalBlobStore`` keeps blobs in a folder (``ab/cd/abcd…``, created 0600); ``S3BlobStore``
in a bucket of an S3-compatible object store (the ``minio`` client, run off the event
loop). Names are checked to be 64 hex digits before they reach a path or a key, so no
name a client sends ever becomes one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from infra.settings import Settings

_NAME = re.compile(r"[0-9a-f]{64}")


class BlobMissing(LookupError):
    """No blob of that name in the store."""


def blob_name(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError("a blob name is 64 lower-case hex digits")
    return name


class BlobStore(Protocol):
    async def put(self, data: bytes) -> str: ...

    async def get(self, name: str) -> bytes: ...

    async def delete(self, name: str) -> bool: ...

    def names(self) -> AsyncIterator[tuple[str, datetime]]: ...

    async def close(self) -> None: ...


class LocalBlobStore:
    """Blobs as files under ``root``; writes are atomic (a temporary file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        name = _checked(name)
        return self.root / name[:2] / name[2:4] / name

    def _put(self, data: bytes) -> str:
        name = blob_name(data)
        path = self._path(name)
        if path.exists():
            return name
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        return name

    async def put(self, data: bytes) -> str:
        return await asyncio.to_thread(self._put, data)

    async def get(self, name: str) -> bytes:
        path = self._path(name)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise BlobMissing(name) from None

    async def delete(self, name: str) -> bool:
        path = self._path(name)
        try:
            await asyncio.to_thread(path.unlink)
        except FileNotFoundError:
            return False
        return True

    async def names(self) -> AsyncIterator[tuple[str, datetime]]:
        """Every blob with the time it was written."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/??/*")):
            if _NAME.fullmatch(path.name):
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    async def close(self) -> None:
        return None


class S3BlobStore:
    """Blobs as objects of one bucket (created when missing) in an S3-compatible store."""

    def __init__(
        self,
        url: str,
        bucket: str,
        access_key: str | None,
        secret_key: str | None,
        region: str = "us-east-1",
    ) -> None:
        from minio import Minio

        parts = urlsplit(url)
        self.bucket = bucket
        self.client = Minio(
            parts.netloc,
            access_key=access_key,
            secret_key=secret_key,
            secure=parts.scheme == "https",
            region=region,
        )
        self._ready = False

    def _ensure_bucket(self) -> None:
        if not self._ready:
            if not self.client.bucket_exists(self.bucket):
                with contextlib.suppress(Exception):
                    self.client.make_bucket(self.bucket)
            self._ready = True

    def _put(self, data: bytes) -> str:
        self._ensure_bucket()
        name = blob_name(data)
        self.client.put_object(
            self.bucket,
            name,
            io.BytesIO(data),
            len(data),
            content_type="application/octet-stream",
        )
        return name

    async def put(self, data: bytes) -> str:
        return await asyncio.to_thread(self._put, data)

    def _get(self, name: str) -> bytes:
        from minio.error import S3Error

        self._ensure_bucket()
        try:
            response = self.client.get_object(self.bucket, _checked(name))
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket"):
                raise BlobMissing(name) from None
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    async def get(self, name: str) -> bytes:
        return await asyncio.to_thread(self._get, name)

    def _delete(self, name: str) -> bool:
        from minio.error import S3Error

        self._ensure_bucket()
        try:
            self.client.stat_object(self.bucket, _checked(name))
        except S3Error:
            return False
        self.client.remove_object(self.bucket, name)
        return True

    async def delete(self, name: str) -> bool:
        return await asyncio.to_thread(self._delete, name)

    async def names(self) -> AsyncIterator[tuple[str, datetime]]:
        """Every blob with the time it was written."""

        def listing() -> list[tuple[str, datetime]]:
            self._ensure_bucket()
            objects = self.client.list_objects(self.bucket, recursive=True)
            return [(o.object_name or "", o.last_modified or datetime.now(UTC)) for o in objects]

        for name, modified in await asyncio.to_thread(listing):
            if _NAME.fullmatch(name):
                yield name, modified

    async def close(self) -> None:
        return None


def store_from_settings(settings: Settings) -> BlobStore:
    """The S3 bucket when ``ZHIXIN_EVIDENCE_S3_URL`` is set, else the evidence folder."""
    if settings.evidence_s3_url:
        return S3BlobStore(
            settings.evidence_s3_url,
            settings.evidence_s3_bucket,
            settings.evidence_s3_access_key,
            settings.evidence_s3_secret_key,
            settings.evidence_s3_region,
        )
    return LocalBlobStore(settings.evidence_dir or Path.cwd() / "evidence")
