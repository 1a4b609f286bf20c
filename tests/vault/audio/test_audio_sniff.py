"""`sniff` names an audio container from the first bytes of an upload, and nothing else."""

from __future__ import annotations

import random
import struct
from collections.abc import Callable

import pytest

from tests.audio_factory import make_encoded, make_riff_wav, make_video, make_wav, missing_encoder
from vault.audio import SNIFF_BYTES, sniff


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00\x00\x00\x08free"


def _ebml(doctype: bytes) -> bytes:
    fields = b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    fields += b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(fields)]) + fields


def _encoded(fmt: str) -> Callable[[], bytes]:
    def make() -> bytes:
        reason = missing_encoder(fmt)
        if reason is not None:
            pytest.fail(reason)
        return make_encoded(fmt, 0.2, rate=8000)

    return make


# (what, make the file's bytes, the name sniff gives)
AUDIO: list[tuple[str, Callable[[], bytes], str]] = [
    ("wav from the wave module", lambda: make_wav(0.1), "wav"),
    ("wav, mu-law", _encoded("wav_mulaw"), "wav"),
    ("wav, RF64", lambda: make_riff_wav(0.1, rf64=True), "wav"),
    ("mp3 from lame, ID3 tag first", _encoded("mp3"), "mp3"),
    ("mp3 frame, MPEG-1 layer III 128k 44.1k", lambda: b"\xff\xfb\x90\x64" + bytes(60), "mp3"),
    ("mp3 frame, MPEG-2 layer III 24k 16k", lambda: b"\xff\xf3\x48\xc4" + bytes(60), "mp3"),
    ("mp3 frame, MPEG-2.5 layer III 8k", lambda: b"\xff\xe3\x18\xc4" + bytes(60), "mp3"),
    ("mp2 frame, MPEG-1 layer II", lambda: b"\xff\xfd\x90\x04" + bytes(60), "mp3"),
    ("aac in ADTS frames", _encoded("aac_adts"), "aac"),
    ("ogg opus", _encoded("ogg_opus"), "ogg"),
    ("flac", _encoded("flac"), "flac"),
    ("m4a from the ipod muxer", _encoded("m4a"), "m4a"),
    ("m4a with faststart", _encoded("m4a_faststart"), "m4a"),
    ("mp4 with aac", _encoded("mp4_aac"), "m4a"),
    ("ftyp mp42", lambda: _ftyp(b"mp42", b"isom"), "m4a"),
    ("ftyp 3gp4 (phone recorders)", lambda: _ftyp(b"3gp4", b"3gp4"), "m4a"),
    ("ftyp qt (QuickTime)", lambda: _ftyp(b"qt  ", b"qt  "), "m4a"),
    ("ftyp M4V that also lists M4A", lambda: _ftyp(b"M4V ", b"M4V ", b"M4A "), "m4a"),
    ("mp4 with video only (stage 2 refuses it)", make_video, "m4a"),
    ("webm opus", _encoded("webm_opus"), "webm"),
    ("matroska flac", _encoded("mka_flac"), "mka"),
    ("amr narrowband", _encoded("amr"), "amr"),
    ("amr wideband signature", lambda: b"#!AMR-WB\n" + bytes(40), "amr"),
    ("aiff", _encoded("aiff"), "aiff"),
    ("aifc signature", lambda: b"FORM\x00\x00\x10\x00AIFC" + bytes(40), "aiff"),
    ("caf", _encoded("caf"), "caf"),
]

NOT_AUDIO: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("3 bytes of a WAV header", b"RIF"),
    ("ID3 and nothing more", b"ID3"),
    ("half a RIFF header", b"RIFF\x24\x00\x00\x00WA"),
    ("PDF", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"),
    ("PNG", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02"),
    ("JPEG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
    ("GIF", b"GIF89a\x10\x00\x10\x00\x80\x00\x00"),
    ("ZIP", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(30)),
    ("gzip", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(20)),
    ("plain text", b"Hello, this is a transcript of the call, not a call.\n"),
    ("text with a UTF-8 BOM", b"\xef\xbb\xbfMerhaba, bu bir metin dosyas\xc4\xb1d\xc4\xb1r.\n"),
    ("HTML", b"<!DOCTYPE html><html><head><title>x</title></head><body>"),
    ("JSON", b'{"call_id": "c-1", "audio": "not here"}'),
    ("HLS playlist", b"#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:10,\nhttp://example.invalid/a.ts\n"),
    ("ffconcat script", b"ffconcat version 1.0\nfile 'file:/etc/passwd'\n"),
    ("ELF executable", b"\x7fELF\x02\x01\x01\x00" + bytes(56)),
    ("Windows executable", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"),
    ("RIFF AVI", b"RIFF\x00\x10\x00\x00AVI LIST\x00\x01\x00\x00hdrl"),
    ("RIFF WebP", b"RIFF\x00\x10\x00\x00WEBPVP8 \x00\x01\x00\x00"),
    ("IFF that is not AIFF", b"FORM\x00\x00\x10\x008SVXVHDR"),
    ("ftyp M4V only", _ftyp(b"M4V ", b"M4V ", b"M4VH")),
    ("ftyp HEIC image", _ftyp(b"heic", b"mif1", b"heic")),
    ("ftyp AVIF image", _ftyp(b"avif", b"avif", b"mif1", b"miaf")),
    ("ftyp with a box size too small", b"\x00\x00\x00\x08ftypM4A \x00\x00\x00\x00"),
    ("EBML with an unknown doctype", _ebml(b"dummy")),
    ("EBML magic alone", b"\x1a\x45\xdf\xa3\x80" + bytes(20)),
    ("Ogg signature with a bad version", b"OggS\x01\x02" + bytes(40)),
    ("MPEG sync, reserved version", b"\xff\xeb\x90\x64" + bytes(20)),
    ("MPEG sync, reserved layer", b"\xff\xf9\x90\x64" + bytes(20)),
    ("MPEG sync, bad bitrate index", b"\xff\xfb\xf0\x64" + bytes(20)),
    ("MPEG sync, free-format bitrate", b"\xff\xfb\x00\x64" + bytes(20)),
    ("MPEG sync, reserved sample rate", b"\xff\xfb\x9c\x64" + bytes(20)),
    ("MPEG sync, reserved emphasis", b"\xff\xfb\x90\x66" + bytes(20)),
    ("ADTS sync, reserved sample rate", b"\xff\xf1\x7c\x40\x3d\x9f\xfc" + bytes(20)),
    ("all 0xFF", b"\xff" * SNIFF_BYTES),
    ("all zero", bytes(SNIFF_BYTES)),
    ("random bytes", random.Random(6698).randbytes(SNIFF_BYTES)),
]


@pytest.mark.parametrize(("make", "expected"), [r[1:] for r in AUDIO], ids=[r[0] for r in AUDIO])
def test_recognises_audio_containers(make: Callable[[], bytes], expected: str) -> None:
    assert sniff(make()[:SNIFF_BYTES]) == expected


@pytest.mark.parametrize("head", [r[1] for r in NOT_AUDIO], ids=[r[0] for r in NOT_AUDIO])
def test_refuses_everything_else(head: bytes) -> None:
    assert sniff(head[:SNIFF_BYTES]) is None


def test_as_many_negative_rows_as_positive() -> None:
    assert len(NOT_AUDIO) >= len(AUDIO)


def test_a_wav_header_is_recognised_from_its_first_twelve_bytes() -> None:
    assert sniff(make_wav(0.1)[:12]) == "wav"
    assert sniff(make_wav(0.1)[:11]) is None
