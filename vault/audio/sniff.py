"""Stage one of the audio check: recognise an audio container from the first bytes of an upload.

The upload is streamed, so this runs before anything is stored, on a few bytes only. It answers
"which container does this claim to be?", not "is this playable?": that is `probe`'s job once
the bytes are stored. Video containers (MP4, WebM, Ogg) pass here because a recording may come
with a picture; `probe` refuses them if they hold no audio stream.
"""

from __future__ import annotations

SNIFF_BYTES = 64
"""How many leading bytes `sniff` wants. Give it this many, or the whole file if it is shorter."""

MIN_SNIFF_BYTES = 4
"""Below this many bytes nothing can be recognised and `sniff` always answers None."""

# ISO base media (MP4) brands under which audio is found. A file is accepted when its major
# brand or one of the compatible brands listed in the head is one of these, so an M4V or an
# HEIC image (brands "M4V ", "heic", "mif1", "avif"...) that lists none of them is refused.
_AUDIO_BRANDS = frozenset(
    {
        b"M4A ",
        b"M4B ",
        b"M4P ",
        b"F4A ",
        b"F4B ",
        b"mp41",
        b"mp42",
        b"isom",
        b"iso2",
        b"iso4",
        b"iso5",
        b"iso6",
        b"3gp4",
        b"3gp5",
        b"3gp6",
        b"3gp7",
        b"3ge6",
        b"3ge7",
        b"3gg6",
        b"3g2a",
        b"3g2b",
        b"3g2c",
        b"qt  ",
        b"dash",
        b"MSNV",
    }
)

_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE = b"\x42\x82"
_EBML_DOCTYPES = {b"webm": "webm", b"matroska": "mka"}


def sniff(head: bytes) -> str | None:
    """Name the audio container that `head` (the file's first bytes) starts, or None.

    Names: "wav" (RIFF/RF64 WAVE), "mp3" (ID3 tag or an MPEG audio frame header), "aac"
    (ADTS), "ogg", "flac", "m4a" (ISO base media with an audio brand), "webm", "mka"
    (Matroska), "amr", "aiff", "caf". Anything else (documents, images, archives, text,
    executables, an MP4 that only declares video brands) is None.

    Pass `SNIFF_BYTES` bytes, or the whole file if it is shorter. A head shorter than a
    container's signature cannot be recognised: the answer is None, the same as for a file
    that is not audio, so a 3-byte upload is refused as "not audio".
    """
    if len(head) < MIN_SNIFF_BYTES:
        return None
    for check in _CHECKS:
        name = check(head)
        if name is not None:
            return name
    return None


def _riff(head: bytes) -> str | None:
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    return None


def _id3(head: bytes) -> str | None:
    # "ID3", major version 2-4, revision, flags, then a 28-bit "synchsafe" size.
    if (
        len(head) >= 10
        and head[:3] == b"ID3"
        and 2 <= head[3] <= 4
        and head[4] != 0xFF
        and all(b < 0x80 for b in head[6:10])
    ):
        return "mp3"
    return None


def _simple(head: bytes) -> str | None:
    if head.startswith(b"OggS\x00"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return "amr"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head.startswith(b"caff\x00\x01"):
        return "caf"
    return None


def _iso_bmff(head: bytes) -> str | None:
    if head[4:8] != b"ftyp" or len(head) < 16:
        return None
    box_size = int.from_bytes(head[:4], "big")
    if box_size < 16:
        return None
    end = min(box_size, len(head))
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, end - 3, 4)]
    if any(brand in _AUDIO_BRANDS for brand in brands):
        return "m4a"
    return None


def _ebml(head: bytes) -> str | None:
    if not head.startswith(_EBML_MAGIC):
        return None
    at = head.find(_EBML_DOCTYPE, 4)
    if at < 0 or at + 3 > len(head):
        return None
    size_byte = head[at + 2]
    if not size_byte & 0x80:  # only one-byte sizes: every real doctype is that short
        return None
    size = size_byte & 0x7F
    return _EBML_DOCTYPES.get(head[at + 3 : at + 3 + size])


# MPEG audio frame header: 11 sync bits, version, layer, bitrate, sample rate, emphasis.
_MPEG_VERSION_RESERVED = 0b01
_MPEG_LAYER_RESERVED = 0b00
_MPEG_BITRATE_FREE, _MPEG_BITRATE_BAD = 0b0000, 0b1111
_MPEG_RATE_RESERVED = 0b11
_MPEG_EMPHASIS_RESERVED = 0b10


def _mpeg_audio(head: bytes) -> str | None:
    b0, b1, b2, b3 = head[:4]
    if b0 != 0xFF or b1 & 0xE0 != 0xE0:
        return None
    version = (b1 >> 3) & 0b11
    layer = (b1 >> 1) & 0b11
    bitrate = b2 >> 4
    rate = (b2 >> 2) & 0b11
    if (
        version == _MPEG_VERSION_RESERVED
        or layer == _MPEG_LAYER_RESERVED
        or bitrate in (_MPEG_BITRATE_FREE, _MPEG_BITRATE_BAD)
        or rate == _MPEG_RATE_RESERVED
        or b3 & 0b11 == _MPEG_EMPHASIS_RESERVED
    ):
        return None
    return "mp3"


def _adts(head: bytes) -> str | None:
    # ADTS (raw AAC) shares the sync word but has the "reserved" layer 00 of MPEG audio.
    if len(head) < 7:
        return None
    b0, b1, b2, b3, b4, b5 = head[:6]
    if b0 != 0xFF or b1 & 0xF6 != 0xF0:
        return None
    rate_index = (b2 >> 2) & 0x0F
    frame_length = ((b3 & 0x03) << 11) | (b4 << 3) | (b5 >> 5)
    if rate_index > 12 or frame_length < 7:
        return None
    return "aac"


_CHECKS = (_riff, _id3, _simple, _iso_bmff, _ebml, _mpeg_audio, _adts)
