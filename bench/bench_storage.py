"""Benchmark the encrypted blob path against plain S3 calls measured in the same run.

Starts moto's S3 server in a subprocess on loopback (so that it does not share this
process's GIL) and prints, each against its baseline:

1. upload throughput: an ``EncryptingReader`` over generated data through
   ``S3BlobStore.put``, against a plain minio ``put_object`` of the same bytes (target >= 0.8x);
2. time to first byte of a range read (``decrypt_range``) near the end of a one-hour
   recording (16 kHz, 16-bit mono: about 115 MB) against one at its start (target <= 1.5x),
   the median of several runs; on S3 and, for reference, on the local backend.

Run: ``.venv/bin/python bench/bench_storage.py [--upload-mib N] [--recording-seconds S] ...``
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from _common import moto_server, wav_header
from minio import Minio

from vault.crypto.stream import (
    DEFAULT_SEGMENT_SIZE,
    EncryptingReader,
    decrypt_range,
    generate_data_key,
)
from vault.storage import BlobStore, LocalBlobStore, S3BlobStore
from vault.storage.s3 import make_http_client

MiB = 1024 * 1024
ACCESS_KEY, SECRET_KEY, REGION = "bench-access-key", "bench-secret-key", "us-east-1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upload-mib", type=int, default=256, help="upload size (256)")
    parser.add_argument("--upload-runs", type=int, default=3, help="uploads of each kind (3)")
    parser.add_argument("--part-mib", type=int, default=16, help="S3 part size (16)")
    parser.add_argument(
        "--recording-seconds", type=int, default=3600, help="length of the recording (3600)"
    )
    parser.add_argument("--ttfb-runs", type=int, default=15, help="range reads of each kind (15)")
    parser.add_argument("--segment-size", type=int, default=DEFAULT_SEGMENT_SIZE)
    return parser.parse_args()


def generated(size: int) -> bytes:
    """Incompressible test data (the server must not get an easy ride)."""
    return os.urandom(size)


def chunked(data: bytes, size: int = MiB) -> Iterator[memoryview]:
    view = memoryview(data)
    for i in range(0, len(view), size):
        yield view[i : i + size]


def mb_per_s(size: int, seconds: float) -> float:
    return size / 1e6 / seconds


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def bench_upload(client: Minio, store: S3BlobStore, args: argparse.Namespace) -> None:
    size = args.upload_mib * MiB
    data = generated(size)
    part_size = args.part_mib * MiB
    plain: list[float] = []
    encrypted: list[float] = []
    for _ in range(args.upload_runs):
        started = time.perf_counter()
        client.put_object(
            store.bucket, "bench/plain", io.BytesIO(data), len(data), part_size=part_size
        )
        plain.append(time.perf_counter() - started)

        reader = EncryptingReader(
            chunked(data),
            key=generate_data_key(),
            binding=b"recording:bench/original",
            segment_size=args.segment_size,
        )
        started = time.perf_counter()
        store.put("bench/encrypted", reader)
        encrypted.append(time.perf_counter() - started)
    store.delete("bench/plain")
    store.delete("bench/encrypted")

    plain_rate = mb_per_s(size, statistics.median(plain))
    encrypted_rate = mb_per_s(size, statistics.median(encrypted))
    ratio = encrypted_rate / plain_rate
    runs = f"{args.upload_mib} MiB, {args.part_mib} MiB parts, median of {args.upload_runs}"
    print(f"upload  plain minio put_object (baseline)     : {plain_rate:8.1f} MB/s  ({runs})")
    print(f"upload  EncryptingReader -> S3BlobStore.put   : {encrypted_rate:8.1f} MB/s")
    print(
        f"upload  ratio encrypted / plain               : {ratio:8.2f}   "
        f"(target >= 0.80) {verdict(ratio >= 0.8)}"
    )


def time_to_first_byte(
    store: BlobStore, key: str, *, dek: bytes, size: int, start: int, segment_size: int
) -> float:
    def read(offset: int, length: int) -> Iterator[bytes]:
        return store.get(key, start=offset, end=offset + length)

    started = time.perf_counter()
    parts = decrypt_range(
        read,
        key=dek,
        binding=b"recording:bench/original",
        segment_size=segment_size,
        plaintext_size=size,
        start=start,
        end=min(size, start + 256 * 1024),
    )
    with closing(parts):
        next(parts)
        return time.perf_counter() - started


def raw_time_to_first_byte(store: BlobStore, key: str, *, start: int) -> float:
    """The same range read as stored bytes, without decryption: what the server costs."""
    started = time.perf_counter()
    chunks = store.get(key, start=start, end=start + 256 * 1024)
    next(chunks)
    elapsed = time.perf_counter() - started
    for _ in chunks:  # drain, so that the connection goes back to the pool
        pass
    return elapsed


def bench_ttfb(label: str, store: BlobStore, args: argparse.Namespace) -> None:
    pcm_size = args.recording_seconds * 16000 * 2
    recording = wav_header(pcm_size) + generated(pcm_size)
    size = len(recording)
    dek = generate_data_key()
    reader = EncryptingReader(
        chunked(recording),
        key=dek,
        binding=b"recording:bench/original",
        segment_size=args.segment_size,
    )
    store.put("bench/recording", reader)
    del recording

    near_end = size - 32000 - 1234  # about a second before the end, not on a segment boundary

    def measure(start: int) -> float:
        return time_to_first_byte(
            store,
            "bench/recording",
            dek=dek,
            size=size,
            start=start,
            segment_size=args.segment_size,
        )

    measure(0)  # warm the connection pool
    at_start: list[float] = []
    at_end: list[float] = []
    raw_end: list[float] = []
    for run in range(args.ttfb_runs):
        # Alternate the order so that neither kind always follows the other.
        if run % 2:
            at_end.append(measure(near_end))
            at_start.append(measure(0))
        else:
            at_start.append(measure(0))
            at_end.append(measure(near_end))
        raw_end.append(raw_time_to_first_byte(store, "bench/recording", start=near_end))
    store.delete("bench/recording")

    start_ms = statistics.median(at_start) * 1000
    end_ms = statistics.median(at_end) * 1000
    ratio = end_ms / start_ms
    what = f"{size / 1e6:.1f} MB recording, median of {args.ttfb_runs}"
    print(f"ttfb    {label:5} range at the start (baseline)  : {start_ms:8.2f} ms  ({what})")
    print(f"ttfb    {label:5} range near the end             : {end_ms:8.2f} ms")
    raw_ms = statistics.median(raw_end) * 1000
    print(
        f"ttfb    {label:5} same, stored bytes undecrypted  : {raw_ms:8.2f} ms  (the backend alone)"
    )
    print(
        f"ttfb    {label:5} ratio end / start              : {ratio:8.2f}   "
        f"(target <= 1.50) {verdict(ratio <= 1.5)}"
    )


def main() -> None:
    args = parse_args()
    with moto_server() as endpoint:
        client = Minio(
            endpoint,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            secure=False,
            region=REGION,
            http_client=make_http_client(),
        )
        store = S3BlobStore(client, f"bench-{uuid.uuid4().hex[:12]}", part_size=args.part_mib * MiB)
        store.ensure_bucket()
        print(f"server: moto S3 at {endpoint} (child process); client: minio")
        bench_upload(client, store, args)
        bench_ttfb("S3", store, args)
    with tempfile.TemporaryDirectory() as directory:
        bench_ttfb("local", LocalBlobStore(Path(directory) / "blobs"), args)


if __name__ == "__main__":
    main()
