"""Read a WAV file's chunk list, to catch what FFmpeg lets through: cut-off and empty files.

FFmpeg plays a WAV whose data chunk claims more bytes than the file holds and stops quietly
where the bytes end; a vault must not take such a recording as whole. This reader walks the
RIFF chunks (seeking over their bodies, never loading them), checks the format chunk, and says
where the samples are and how many there are.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from vault.audio.errors import BadAudio

# A writer that streams a recording live cannot know the sizes in advance: it leaves these
# in the RIFF and data size fields. The data then runs to the end of the file.
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)
_MAX_CHUNKS = 1024
_FMT_READ_LIMIT = 64

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_ALAW = 0x0006
WAVE_FORMAT_MULAW = 0x0007
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
# Formats where one block is one sample per channel, so frames = data bytes / block align.
_FRAME_PER_BLOCK = frozenset(
    {WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_ALAW, WAVE_FORMAT_MULAW}
)
# WAVE_FORMAT_EXTENSIBLE names the real format in a GUID: its first two bytes, then these.
_KSDATAFORMAT_SUFFIX = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


@dataclass(frozen=True)
class WavLayout:
    """What a WAV file's header says, checked against the file's size."""

    format_tag: int  # the real format, resolved through WAVE_FORMAT_EXTENSIBLE
    channels: int
    sample_rate: int
    block_align: int
    data_offset: int
    data_bytes: int  # the bytes of samples the file really holds
    streamed: bool  # the writer left the sizes unknown; data runs to the end of the file
    duration_seconds: float | None  # None where the header cannot tell (compressed, no fact)


@dataclass(frozen=True)
class _Format:
    tag: int
    channels: int
    sample_rate: int
    byte_rate: int
    block_align: int
    bits_per_sample: int


def read_layout(fileobj: BinaryIO, *, size: int) -> WavLayout:
    """Walk the RIFF chunks of the WAV file in `fileobj` (`size` bytes long).

    Raises BadAudio if the header is damaged, the file is shorter than its header says,
    or it holds no samples.
    """
    fileobj.seek(0)
    header = fileobj.read(12)
    if len(header) < 12 or header[:4] not in (b"RIFF", b"RF64") or header[8:12] != b"WAVE":
        raise BadAudio("The WAV header is damaged.")
    riff_size = _u32(header, 4)
    rf64 = header[:4] == b"RF64"
    if not rf64 and riff_size not in _UNKNOWN_SIZES and riff_size + 8 > size + 1:
        # One byte of slack: some writers count the pad byte of an odd-sized last chunk.
        raise _cut_off()

    fmt: _Format | None = None
    fact_frames: int | None = None
    ds64_data: int | None = None
    pos = 12
    for _ in range(_MAX_CHUNKS):
        if pos + 8 > size:
            break
        fileobj.seek(pos)
        chunk = fileobj.read(8)
        if len(chunk) < 8:
            break
        chunk_id, chunk_size = chunk[:4], _u32(chunk, 4)
        body = pos + 8
        if chunk_id == b"fmt ":
            fmt = _read_fmt(fileobj, chunk_size)
        elif chunk_id == b"fact" and chunk_size >= 4:
            fact_frames = _u32(_read(fileobj, 4), 0)
        elif chunk_id == b"ds64" and rf64 and chunk_size >= 24:
            ds64_data = struct.unpack("<Q", _read(fileobj, 24)[8:16])[0]
        elif chunk_id == b"data":
            if fmt is None:
                raise BadAudio("The WAV file has no format chunk before its audio data.")
            return _layout(fmt, body, chunk_size, size, fact_frames=fact_frames, ds64=ds64_data)
        pos = body + chunk_size + (chunk_size & 1)  # chunks are padded to an even length
    if fmt is None:
        raise BadAudio("The WAV file has no format chunk.")
    raise BadAudio("The WAV file has no audio data chunk; it may have been cut off.")


def _layout(
    fmt: _Format,
    offset: int,
    declared: int,
    size: int,
    *,
    fact_frames: int | None,
    ds64: int | None,
) -> WavLayout:
    available = max(0, size - offset)
    if ds64 is not None and declared == 0xFFFFFFFF:
        declared = ds64
    streamed = declared in _UNKNOWN_SIZES
    if streamed:
        data_bytes = available
    elif declared > available:
        raise _cut_off()
    else:
        data_bytes = declared
    blocks = data_bytes // fmt.block_align
    if blocks == 0:
        raise BadAudio("The WAV file holds no audio samples.")
    duration: float | None
    if fmt.tag in _FRAME_PER_BLOCK:
        duration = blocks / fmt.sample_rate
    elif fact_frames and not streamed:
        duration = fact_frames / fmt.sample_rate
    elif fmt.byte_rate > 0:
        duration = data_bytes / fmt.byte_rate
    else:
        duration = None
    return WavLayout(
        format_tag=fmt.tag,
        channels=fmt.channels,
        sample_rate=fmt.sample_rate,
        block_align=fmt.block_align,
        data_offset=offset,
        data_bytes=data_bytes,
        streamed=streamed,
        duration_seconds=duration,
    )


def _read_fmt(fileobj: BinaryIO, chunk_size: int) -> _Format:
    if chunk_size < 16:
        raise _damaged_fmt()
    raw = fileobj.read(min(chunk_size, _FMT_READ_LIMIT))
    if len(raw) < 16:
        raise _damaged_fmt()
    tag, channels, rate, byte_rate, block_align, bits = struct.unpack("<HHIIHH", raw[:16])
    if tag == WAVE_FORMAT_EXTENSIBLE:
        # cbSize (2), valid bits (2), channel mask (4), then the sub-format GUID (16).
        if len(raw) < 40 or struct.unpack("<H", raw[16:18])[0] < 22:
            raise _damaged_fmt()
        guid = raw[24:40]
        if guid[2:] == _KSDATAFORMAT_SUFFIX:
            tag = struct.unpack("<H", guid[:2])[0]
    if channels == 0 or rate == 0 or block_align == 0:
        raise _damaged_fmt()
    if tag in _FRAME_PER_BLOCK and (bits == 0 or block_align != channels * ((bits + 7) // 8)):
        raise _damaged_fmt()
    return _Format(tag, channels, rate, byte_rate, block_align, bits)


def _read(fileobj: BinaryIO, n: int) -> bytes:
    data = fileobj.read(n)
    if len(data) < n:
        raise _cut_off()
    return data


def _u32(data: bytes, at: int) -> int:
    value: int = struct.unpack_from("<I", data, at)[0]
    return value


def _cut_off() -> BadAudio:
    return BadAudio("The WAV file is shorter than its header says: it was cut off.")


def _damaged_fmt() -> BadAudio:
    return BadAudio("The WAV file's format chunk is damaged.")
