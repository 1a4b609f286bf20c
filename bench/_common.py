"""Helpers the benchmarks share: a moto S3 server in a child process, ports, WAV headers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_for_port(port: int, child: subprocess.Popen[bytes], *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or child.poll() is not None:
                raise RuntimeError(f"nothing started listening on port {port}") from None
            time.sleep(0.1)


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 server in a child process; yields its endpoint."""
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, child, seconds=30)
        yield f"127.0.0.1:{port}"
    finally:
        child.terminate()
        child.wait(timeout=10)


def wav_header(data_size: int, rate: int = 16000) -> bytes:
    """A 44-byte header of a 16-bit mono PCM WAV holding ``data_size`` bytes of samples."""

    def u32(n: int) -> bytes:
        return n.to_bytes(4, "little")

    def u16(n: int) -> bytes:
        return n.to_bytes(2, "little")

    fmt = u16(1) + u16(1) + u32(rate) + u32(rate * 2) + u16(2) + u16(16)
    return b"RIFF" + u32(36 + data_size) + b"WAVEfmt " + u32(16) + fmt + b"data" + u32(data_size)
