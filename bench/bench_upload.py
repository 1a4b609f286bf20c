"""Peak memory and throughput of a large upload through the real HTTP server.

Starts ``vault serve`` in a child process (local backend, then S3 on moto's server), warms it
up with a small upload, then streams one large WAV (1 GiB by default) as a multipart upload
and prints the server's peak resident memory during that upload against its resident memory
before it: the baseline measured in the same run. Target: the peak grows by under 100 MB.

Run: ``.venv/bin/python bench/bench_upload.py [--size-mib N] [--backend local|s3|both]``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from _common import free_port, moto_server, wait_for_port, wav_header

from vault.auth import tokens
from vault.auth.roles import Role
from vault.config import Settings

MiB = 1024 * 1024
MB = 1_000_000
BOUNDARY = "benchboundary7d1f"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--backend", choices=["local", "s3", "both"], default="both")
    return parser.parse_args()


def memory_kib(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def reset_peak(pid: int) -> None:
    """Linux: writing 5 to clear_refs resets the peak resident set size (VmHWM)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def multipart(meta: Mapping[str, object], size: int) -> tuple[list[bytes], bytes, int]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="metadata"\r\n'
        f"Content-Type: application/json\r\n\r\n{json.dumps(meta)}\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="call.wav"\r\n'
        f"Content-Type: audio/wav\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return [head], tail, len(head) + size + len(tail)


def wav_body(size: int) -> Iterator[bytes]:
    """A WAV of ``size`` bytes: header, then a random 1 MiB block repeated (never all in memory)."""
    header = wav_header(size - 44)
    yield header
    block = os.urandom(MiB)
    left = size - len(header)
    while left > 0:
        piece = block[: min(left, MiB)]
        left -= len(piece)
        yield piece


def upload(port: int, token: str, call_id: str, size: int) -> tuple[int, float]:
    meta = {
        "call_id": call_id,
        "started_at": "2026-11-20T09:30:00+03:00",
        "subject": {"customer_id": f"BENCH-{call_id}"},
    }
    head, tail, length = multipart(meta, size)

    def body() -> Iterator[bytes]:
        yield from head
        yield from wav_body(size)
        yield tail

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request(
        "POST",
        "/api/v1/recordings",
        body=body(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(length),
        },
    )
    response = conn.getresponse()
    payload = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"upload failed: {response.status} {payload[:300]!r}")
    return response.status, elapsed


@contextmanager
def server(env: dict[str, str]) -> Iterator[tuple[int, int]]:
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "vault.cli", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, child)
        yield port, child.pid
    finally:
        child.terminate()
        child.wait(timeout=30)


def run(label: str, env: dict[str, str], size: int) -> None:
    settings = Settings.model_validate(
        {k.removeprefix("VAULT_").lower(): v for k, v in env.items()}
    )
    token = tokens.issue(settings, user="bench-agent", role=Role.AGENT)
    with server(env) as (port, pid):
        upload(port, token, "warm-up", 4 * MiB)
        before = memory_kib(pid)["VmRSS"]
        reset_peak(pid)
        _status, elapsed = upload(port, token, "large", size)
        peak = memory_kib(pid)["VmHWM"]
    growth_mb = (peak - before) * 1024 / MB
    ratio = peak / before
    print(f"[{label}] upload of {size / MB:,.0f} MB: {size / MB / elapsed:.1f} MB/s end to end")
    print(f"[{label}] server resident memory before (baseline): {before * 1024 / MB:8.1f} MB")
    print(f"[{label}] server peak resident memory during upload: {peak * 1024 / MB:8.1f} MB")
    verdict = "OK" if growth_mb < 100 else "MISSED"
    print(
        f"[{label}] growth {growth_mb:+.1f} MB, peak/baseline {ratio:.2f}x "
        f"(target: growth < 100 MB) {verdict}"
    )


def main() -> None:
    args = parse_args()
    size = args.size_mib * MiB
    with tempfile.TemporaryDirectory(prefix="vault-bench-") as tmp:
        if args.backend in ("local", "both"):
            run("local", {"VAULT_DATA_DIR": str(Path(tmp) / "local")}, size)
        if args.backend in ("s3", "both"):
            with moto_server() as endpoint:
                env = {
                    "VAULT_DATA_DIR": str(Path(tmp) / "s3"),
                    "VAULT_BLOB_BACKEND": "s3",
                    "VAULT_S3_ENDPOINT": endpoint,
                    "VAULT_S3_ACCESS_KEY": "bench",
                    "VAULT_S3_SECRET_KEY": "bench-secret",
                    "VAULT_S3_REGION": "us-east-1",
                }
                run("s3", env, size)


if __name__ == "__main__":
    main()
