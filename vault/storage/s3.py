"""The production blob store: a bucket on MinIO or any S3 API, through the ``minio`` client.

Uploads stream in parts of ``part_size`` bytes (multipart above one part), so memory stays at
about two parts whatever the object's size; an object becomes visible only when its upload
completes, and a failed multipart upload is aborted. Parts go up one at a time: minio's
parallel uploader leaks its worker threads whenever the source raises mid-way, which an
aborted client upload does. Reads are ranged GETs streamed in chunks.

The HTTP client fails fast: a 3 s connect timeout and few retries, so that a server that is
down surfaces as `StorageUnavailable` within seconds instead of minio's default minutes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import urllib3
from minio import Minio
from minio.error import InvalidResponseError, S3Error, ServerError
from urllib3.util import Retry, Timeout

from vault.storage.base import (
    CHUNK_SIZE,
    BlobNotFound,
    BlobStore,
    Readable,
    StorageError,
    StorageUnavailable,
    check_key,
    check_prefix,
    check_range,
)

if TYPE_CHECKING:
    from vault.config import Settings

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 60.0
_UNAVAILABLE_CODES = {"NoSuchBucket", "SlowDown", "ServiceUnavailable", "InternalError"}


def make_http_client() -> urllib3.PoolManager:
    """A connection pool that gives up on an unreachable server within seconds."""
    return urllib3.PoolManager(
        timeout=Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
        maxsize=10,
        retries=Retry(
            total=3,
            connect=1,
            read=1,
            status=2,
            backoff_factor=0.2,
            status_forcelist=(500, 502, 503, 504),
        ),
        cert_reqs="CERT_REQUIRED",
        # The system's trust store unless SSL_CERT_FILE names another (as minio itself honours).
        ca_certs=os.environ.get("SSL_CERT_FILE"),
    )


def _mapped(exc: Exception, operation: str, key: str | None) -> StorageError:
    """The store's error for a minio or urllib3 failure; no credentials, no response bodies."""
    what = f"S3 blob store: {operation}" + (f" {key!r}" if key else "")
    if isinstance(exc, S3Error):
        if exc.code == "NoSuchKey":
            return BlobNotFound(f"no blob {key!r}")
        if exc.code in _UNAVAILABLE_CODES or exc.response.status >= 500:
            return StorageUnavailable(f"{what} failed: {exc.code}")
        return StorageError(f"{what} failed: {exc.code}")
    if isinstance(exc, ServerError):
        status = exc.status_code
        error = StorageUnavailable if status >= 500 else StorageError
        return error(f"{what} failed: HTTP {status}")
    if isinstance(exc, InvalidResponseError):
        return StorageError(f"{what} failed: the server's response is not S3's")
    reason = getattr(exc, "reason", None) or exc
    return StorageUnavailable(f"{what} failed: server unreachable ({type(reason).__name__})")


_FAILURES = (S3Error, ServerError, InvalidResponseError, urllib3.exceptions.HTTPError, OSError)


@contextmanager
def _errors(operation: str, key: str | None = None) -> Iterator[None]:
    try:
        yield
    except _FAILURES as exc:
        raise _mapped(exc, operation, key) from exc


class _Source:
    """The data being stored, read in full parts and counted; remembers its own failure."""

    def __init__(self, data: Readable) -> None:
        self._data = data
        self.count = 0
        self.failure: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        # minio appends short reads to the part one at a time, which is quadratic: fill it here.
        try:
            parts: list[bytes] = []
            got = 0
            while size < 0 or got < size:
                chunk = self._data.read(size - got if size >= 0 else -1)
                if not chunk:
                    break
                parts.append(chunk)
                got += len(chunk)
                if size < 0:
                    break
        except BaseException as exc:
            self.failure = exc
            raise
        self.count += got
        return parts[0] if len(parts) == 1 and type(parts[0]) is bytes else b"".join(parts)


class S3BlobStore(BlobStore):
    def __init__(self, client: Minio, bucket: str, *, part_size: int) -> None:
        self._client = client
        self.bucket = bucket
        self.part_size = part_size

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStore:
        client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key.get_secret_value(),
            secret_key=settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure,
            region=settings.s3_region,
            http_client=make_http_client(),
        )
        return cls(client, settings.s3_bucket, part_size=settings.s3_part_size)

    def __repr__(self) -> str:
        return f"S3BlobStore(bucket={self.bucket!r})"

    def ensure_bucket(self) -> None:
        """Create the bucket unless it exists."""
        with _errors("creating the bucket"):
            if self._client.bucket_exists(self.bucket):
                return
            try:
                self._client.make_bucket(self.bucket)
            except S3Error as exc:
                if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise

    def put(self, key: str, data: Readable) -> int:
        check_key(key)
        source = _Source(data)
        try:
            self._client.put_object(
                self.bucket,
                key,
                cast(BinaryIO, source),  # minio only calls read()
                length=-1,
                part_size=self.part_size,
                num_parallel_uploads=1,
            )
        except Exception as exc:
            # minio aborted the multipart upload, if it had started one; a single-part upload
            # never creates the object unless it completes.
            if source.failure is not None:
                raise source.failure from None  # the data failed, not the store
            if isinstance(exc, _FAILURES):
                raise _mapped(exc, "writing", key) from exc
            raise
        return source.count

    def get(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        check_key(key)
        check_range(start, end)
        return self._stream(key, start, end)

    def _stream(self, key: str, start: int, end: int | None) -> Iterator[bytes]:
        if end == start:
            return
        try:
            with _errors("reading", key):
                response: Any = self._client.get_object(
                    self.bucket, key, offset=start, length=0 if end is None else end - start
                )
        except StorageError as exc:
            if isinstance(exc.__cause__, S3Error) and exc.__cause__.code == "InvalidRange":
                return  # the range starts at or past the end of the object
            raise
        try:
            chunks = response.stream(CHUNK_SIZE)
            while True:
                with _errors("reading", key):
                    chunk = next(chunks, None)
                if chunk is None:
                    return
                yield chunk
        finally:
            response.close()
            response.release_conn()

    def size(self, key: str) -> int:
        check_key(key)
        with _errors("inspecting", key):
            size = self._client.stat_object(self.bucket, key).size
        if size is None:
            raise StorageError(f"S3 blob store: the server gave no size for {key!r}")
        return size

    def delete(self, key: str) -> None:
        check_key(key)
        with _errors("deleting", key):
            self._client.remove_object(self.bucket, key)

    def keys(self, prefix: str = "") -> Iterator[str]:
        check_prefix(prefix)
        with _errors("listing"):
            for item in self._client.list_objects(self.bucket, prefix=prefix, recursive=True):
                yield item.object_name

    def check(self) -> None:
        with _errors("checking the bucket"):
            exists = self._client.bucket_exists(self.bucket)
        if not exists:
            raise StorageUnavailable(f"S3 blob store: bucket {self.bucket!r} does not exist")
