"""Is an upload really audio, and what is it?

Two stages, because uploads are streamed and never held in memory:

1. `sniff` looks at the first `SNIFF_BYTES` bytes while the upload streams in and names the
   container, or answers None: the API refuses the upload with 415 (`NotAudio`).
2. `probe` runs on the stored bytes (a seekable reader), proves with FFmpeg that the audio
   decodes from start to end, and returns an `AudioInfo`; damaged, empty or out-of-bounds
   audio raises `BadAudio` (422).
"""

from __future__ import annotations

from vault.audio.errors import BadAudio, NotAudio
from vault.audio.probe import AudioInfo, probe
from vault.audio.sniff import SNIFF_BYTES, sniff

__all__ = ["SNIFF_BYTES", "AudioInfo", "BadAudio", "NotAudio", "probe", "sniff"]
