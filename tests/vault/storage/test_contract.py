"""One contract for every blob store: each test runs on the local directory and on S3."""

from __future__ import annotations

import io
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.s3 import TEST_PART_SIZE, MiB, S3Server, free_port, start_moto, stop_moto
from vault.config import Settings
from vault.crypto.stream import (
    DecryptingReader,
    EncryptingReader,
    IntegrityError,
    decrypt_range,
    generate_data_key,
)
from vault.storage import (
    BlobNotFound,
    BlobStore,
    LocalBlobStore,
    S3BlobStore,
    StorageUnavailable,
    open_blob_store,
)
from vault.storage.base import CHUNK_SIZE

pytestmark = pytest.mark.integration


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    s3_store: S3BlobStore = request.getfixturevalue("s3_store")
    return s3_store


def payload(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


class Trickle(io.RawIOBase):
    """A source that hands out a few bytes per read, as a network body does."""

    def __init__(self, data: bytes, step: int = 7_919) -> None:
        self._data = memoryview(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self._step, len(self._data))
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n


class Boom(Exception):
    pass


class Failing(io.RawIOBase):
    """A source that raises after ``after`` bytes: an upload the client abandoned."""

    def __init__(self, after: int) -> None:
        self._left = after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            raise Boom("the client went away")
        n = min(len(buffer), self._left)
        buffer[:n] = b"\xaa" * n
        self._left -= n
        return n


def read_all(store: BlobStore, key: str, start: int = 0, end: int | None = None) -> bytes:
    chunks = list(store.get(key, start=start, end=end))
    assert all(len(chunk) <= CHUNK_SIZE for chunk in chunks)  # streamed, never whole
    return b"".join(chunks)


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE + 1, 12 * MiB])
def test_round_trip(store: BlobStore, size: int) -> None:
    data = payload(size)

    assert store.put("recordings/r1/original", io.BytesIO(data)) == size
    assert store.size("recordings/r1/original") == size
    assert read_all(store, "recordings/r1/original") == data


def test_short_reads_from_the_source_across_parts(store: BlobStore) -> None:
    data = payload(TEST_PART_SIZE + 12_345)

    assert store.put("k", Trickle(data)) == len(data)
    assert read_all(store, "k") == data


def test_put_replaces_the_object(store: BlobStore) -> None:
    store.put("k", io.BytesIO(b"first version"))
    store.put("k", io.BytesIO(b"second"))

    assert read_all(store, "k") == b"second"


def test_ranged_reads_are_exact(store: BlobStore) -> None:
    data = payload(3 * CHUNK_SIZE + 500)
    store.put("k", io.BytesIO(data))
    n = len(data)
    ranges = [
        (0, None),
        (0, 1),
        (0, n),
        (5, 10),
        (CHUNK_SIZE - 1, CHUNK_SIZE + 1),
        (CHUNK_SIZE, 2 * CHUNK_SIZE + 7),
        (n - 1, n),
        (n - 10, None),
        (n - 10, n + 100),  # runs past the end: stops there
        (n, None),
        (n + 5, n + 10),
        (7, 7),
    ]
    for start, end in ranges:
        assert read_all(store, "k", start=start, end=end) == data[start:end], (start, end)


def test_bad_ranges_are_refused(store: BlobStore) -> None:
    store.put("k", io.BytesIO(b"data"))
    with pytest.raises(ValueError, match="range"):
        store.get("k", start=-1)
    with pytest.raises(ValueError, match="range"):
        store.get("k", start=3, end=2)


def test_size_exists_delete(store: BlobStore) -> None:
    assert not store.exists("a/b")
    store.put("a/b", io.BytesIO(b"12345"))

    assert store.exists("a/b")
    assert store.size("a/b") == 5
    store.delete("a/b")
    store.delete("a/b")  # idempotent
    store.delete("never/was")
    assert not store.exists("a/b")
    with pytest.raises(BlobNotFound):
        store.size("a/b")
    with pytest.raises(BlobNotFound):
        list(store.get("a/b"))


def test_keys_lists_by_prefix(store: BlobStore) -> None:
    for key in ["rec/1/original", "rec/1/redacted", "rec/2/original", "recx", "other/1"]:
        store.put(key, io.BytesIO(key.encode()))

    assert sorted(store.keys()) == [
        "other/1",
        "rec/1/original",
        "rec/1/redacted",
        "rec/2/original",
        "recx",
    ]
    assert sorted(store.keys("rec/")) == ["rec/1/original", "rec/1/redacted", "rec/2/original"]
    assert sorted(store.keys("rec/1/")) == ["rec/1/original", "rec/1/redacted"]
    assert sorted(store.keys("rec")) == [
        "rec/1/original",
        "rec/1/redacted",
        "rec/2/original",
        "recx",
    ]
    assert list(store.keys("nothing/")) == []


@pytest.mark.parametrize("fail_after", [0, 1000, TEST_PART_SIZE + 1000])
def test_a_failed_put_leaves_nothing(store: BlobStore, fail_after: int) -> None:
    with pytest.raises(Boom):
        store.put("rec/1/original", Failing(fail_after))

    assert not store.exists("rec/1/original")
    assert list(store.keys()) == []
    if isinstance(store, LocalBlobStore):
        assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_a_failed_put_keeps_the_previous_object(store: BlobStore) -> None:
    store.put("k", io.BytesIO(b"good"))
    with pytest.raises(Boom):
        store.put("k", Failing(TEST_PART_SIZE + 1000))

    assert read_all(store, "k") == b"good"


def test_no_multipart_upload_is_left_open(s3_store: S3BlobStore, s3_server: S3Server) -> None:
    with pytest.raises(Boom):
        s3_store.put("k", Failing(2 * TEST_PART_SIZE + 1000))

    assert s3_server.incomplete_uploads(s3_store.bucket) == []


INVALID_KEYS = [
    "",
    "/abs",
    "a/../b",
    "..",
    "../x",
    "a/./b",
    "a//b",
    "a/",
    "Upper",
    "a b",
    "ümlaut",
    "a\\b",
    "a~b",
    ".hidden",
    "x" * 256,
]


@pytest.mark.parametrize("key", INVALID_KEYS)
def test_invalid_keys_are_refused(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError, match="invalid blob key"):
        store.put(key, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="invalid blob key"):
        store.get(key)
    with pytest.raises(ValueError, match="invalid blob key"):
        store.size(key)
    with pytest.raises(ValueError, match="invalid blob key"):
        store.exists(key)
    with pytest.raises(ValueError, match="invalid blob key"):
        store.delete(key)


@pytest.mark.parametrize("prefix", ["../", "a/../", "/", "/etc/", "a//", "Rec/"])
def test_invalid_prefixes_are_refused(store: BlobStore, prefix: str) -> None:
    with pytest.raises(ValueError, match="invalid blob key prefix"):
        list(store.keys(prefix))


def test_longest_key_is_accepted(store: BlobStore) -> None:
    key = "a/" + "x" * 253
    store.put(key, io.BytesIO(b"x"))

    assert read_all(store, key) == b"x"


def test_check_passes_on_a_ready_store(store: BlobStore) -> None:
    store.check()


# A backend that cannot be reached: a root that is gone, an S3 port with nothing listening.


def s3_settings(endpoint: str) -> Settings:
    return S3Server(endpoint=endpoint).settings("recordings")


@pytest.fixture(params=["local", "s3"])
def down_store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        store = LocalBlobStore(tmp_path / "blobs")
        shutil.rmtree(store.root)
        store.root.write_bytes(b"")  # the volume is gone; something else is in its place
        return store
    return open_blob_store(s3_settings(f"127.0.0.1:{free_port()}"))


def test_an_unreachable_backend_is_unavailable(down_store: BlobStore) -> None:
    with pytest.raises(StorageUnavailable):
        down_store.check()
    with pytest.raises(StorageUnavailable):
        down_store.put("k", io.BytesIO(b"data"))
    with pytest.raises(StorageUnavailable):
        list(down_store.get("k"))
    with pytest.raises(StorageUnavailable):
        down_store.size("k")
    with pytest.raises(StorageUnavailable):
        list(down_store.keys())


def test_a_stopped_s3_server_is_unavailable() -> None:
    server = start_moto()
    host, port = server.get_host_and_port()
    store = open_blob_store(s3_settings(f"{host}:{port}"))
    assert isinstance(store, S3BlobStore)
    store.ensure_bucket()
    store.put("k", io.BytesIO(b"data"))
    stop_moto(server)

    with pytest.raises(StorageUnavailable) as caught:
        store.check()
    with pytest.raises(StorageUnavailable):
        store.put("k", io.BytesIO(b"data"))
    with pytest.raises(StorageUnavailable):
        list(store.get("k"))
    assert S3Server.secret_key not in str(caught.value)


def test_a_missing_bucket_is_unavailable(s3_server: S3Server) -> None:
    store = open_blob_store(s3_server.settings("no-such-bucket"))

    with pytest.raises(StorageUnavailable, match="bucket"):
        store.check()


def test_the_s3_client_is_configured_to_fail_fast(s3_server: S3Server) -> None:
    store = open_blob_store(s3_server.settings("recordings"))
    assert isinstance(store, S3BlobStore)
    pool_settings = store._client._http.connection_pool_kw

    assert pool_settings["timeout"].connect_timeout <= 5
    assert pool_settings["retries"].connect <= 1


def test_open_blob_store_defaults_to_a_private_local_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("VAULT_"):
            monkeypatch.delenv(name)
    store = open_blob_store(Settings(data_dir=tmp_path / "data"))

    assert isinstance(store, LocalBlobStore)
    assert store.root == tmp_path / "data" / "blobs"
    assert store.root.stat().st_mode & 0o777 == 0o700
    store.put("rec/1/original", io.BytesIO(b"x"))
    assert (store.root / "rec/1/original").stat().st_mode & 0o777 == 0o600


# The encrypted format through each backend.


def test_encrypted_round_trip_with_ranges(store: BlobStore) -> None:
    key, binding, segment_size = generate_data_key(), b"recording:r1/original", 64 * 1024
    plaintext = payload(5 * segment_size + 321)
    chunks = (plaintext[i : i + 10_000] for i in range(0, len(plaintext), 10_000))
    sealed = EncryptingReader(chunks, key=key, binding=binding, segment_size=segment_size)
    store.put("rec/r1/original", sealed)
    n = len(plaintext)

    def read(offset: int, length: int) -> Iterator[bytes]:
        return store.get("rec/r1/original", start=offset, end=offset + length)

    for start, end in [(0, n), (0, 1), (segment_size - 1, segment_size + 1), (n - 5, n)]:
        parts = decrypt_range(
            read,
            key=key,
            binding=binding,
            segment_size=segment_size,
            plaintext_size=n,
            start=start,
            end=end,
        )
        assert b"".join(parts) == plaintext[start:end]
    reader = DecryptingReader(
        read, key=key, binding=binding, segment_size=segment_size, plaintext_size=n
    )
    reader.seek(-100, io.SEEK_END)
    assert reader.read() == plaintext[-100:]

    stored = read_all(store, "rec/r1/original")
    store.put("rec/r1/original", io.BytesIO(stored[:-1] + bytes([stored[-1] ^ 1])))
    tampered = DecryptingReader(
        read, key=key, binding=binding, segment_size=segment_size, plaintext_size=n
    )
    tampered.seek(-1, io.SEEK_END)
    with pytest.raises(IntegrityError):
        tampered.read()
