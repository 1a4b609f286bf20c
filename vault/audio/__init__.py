"""Is an upload really audio, and what is it?

`sniff` looks at the first `SNIFF_BYTES` bytes while the upload streams in and names the
container, or answers None: the API refuses the upload with 415 (`NotAudio`).
"""

from __future__ import annotations

from vault.audio.errors import BadAudio, NotAudio
from vault.audio.sniff import SNIFF_BYTES, sniff

__all__ = ["SNIFF_BYTES", "BadAudio", "NotAudio", "sniff"]
