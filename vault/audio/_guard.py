"""FFmpeg's view of the caller's file: read-only, within a budget of bytes and seconds."""

from __future__ import annotations

import os
import time
from typing import BinaryIO

from vault.audio.errors import BadAudio


class Guard:
    """A read-only view of the caller's file that FFmpeg reads through, within a budget.

    Past the budget, or if the caller's reader fails (a storage or integrity error), FFmpeg
    sees the end of the file; `check` then raises what happened, so that no exception has
    to cross FFmpeg's C code and the reader's own errors are not mistaken for bad audio.
    """

    def __init__(self, raw: BinaryIO, *, max_bytes: int, seconds: float) -> None:
        self._raw = raw
        self._left = max_bytes
        self.seconds = seconds
        self._deadline = time.monotonic() + seconds
        self._exhausted = False
        self._error: Exception | None = None

    def read(self, n: int = -1) -> bytes:
        if self._exhausted or self._error is not None:
            return b""
        if self._left <= 0 or time.monotonic() > self._deadline:
            self._exhausted = True
            return b""
        try:
            data = self._raw.read(self._left if n < 0 else min(n, self._left))
        except Exception as exc:
            self._error = exc
            return b""
        self._left -= len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if self._error is not None:
            return -1
        try:
            return self._raw.seek(offset, whence)
        except Exception as exc:
            self._error = exc
            return -1

    def tell(self) -> int:
        if self._error is not None:
            return -1
        try:
            return self._raw.tell()
        except Exception as exc:
            self._error = exc
            return -1

    def check(self) -> None:
        if self._error is not None:
            raise self._error
        if self._exhausted or time.monotonic() > self._deadline:
            raise BadAudio("The file took too long to check; it may be damaged.")
