"""Peak memory of building a subject's export: it must not grow with the export's size.

Stores two subjects' calls in an embedded vault (SQLite, local encrypted blobs): one with 10
calls (the baseline), one with 100 (by default), each a 30-60 s 16 kHz mono WAV of about 1-2 MB,
with raw and redacted transcripts and a few audited accesses each. Then builds each subject's
export in this process and prints, for each build, the export's size and the peak resident
memory (VmHWM, reset before the build) with its growth during the build, then the ratio of the
two peaks: about 1 means memory does not grow with the export. What grows at all is one small
record per ZIP member (the ZIP's directory and the manifest), about 1 kB each.

Run: ``.venv/bin/python bench/bench_export.py [--calls N] [--baseline-calls N]``
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import wav_header

from models.base import new_id
from models.rights import Kind
from models.schemas import RedactedTranscript, Segment, Speaker, Status, Transcript
from models.tables import Export, Recording, Subject
from vault.audit import service as audit
from vault.config import Settings
from vault.db import transaction
from vault.recordings import blobs
from vault.rights import export
from vault.rights import requests as register
from vault.runtime import Vault, open_vault
from vault.subjects import service as subjects
from vault.subjects.service import SubjectDetails

MB = 1_000_000
RATE = 16_000
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--baseline-calls", type=int, default=10)
    return parser.parse_args()


def memory_kib() -> dict[str, int]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets the peak resident set size (VmHWM)."""
    Path("/proc/self/clear_refs").write_text("5")


def wav(seconds: float) -> Iterator[bytes]:
    """A 16-bit mono WAV of ``seconds``, generated a block at a time (never whole in memory)."""
    size = round(seconds * RATE) * 2
    yield wav_header(size, RATE)
    block = os.urandom(64 * 1024)
    left = size
    while left > 0:
        piece = block[: min(left, len(block))]
        left -= len(piece)
        yield piece


def transcript(seconds: float) -> tuple[Transcript, RedactedTranscript]:
    segments = [
        Segment(
            start=t,
            end=t + 4,
            speaker=Speaker.MIXED,
            text="Merhaba, faturamla ilgili bir sorum var, geçen ay iki kez ödeme alınmış.",
            words=[],
        )
        for t in range(0, int(seconds) - 4, 5)
    ]
    text = " ".join(s.text for s in segments)
    raw = Transcript(language="tr", duration=seconds, text=text, segments=segments)
    redacted = RedactedTranscript(
        language="tr", duration=seconds, text=text, segments=segments, entities=[]
    )
    return raw, redacted


def add_subject(vault: Vault, customer_id: str, calls: int, rng: random.Random) -> int:
    """Store ``calls`` calls of a new subject; returns the bytes of audio stored."""
    details = SubjectDetails(customer_id=customer_id, name="Bench Müşteri", phone="0532 000 00 00")
    total = 0
    for n in range(calls):
        seconds = rng.uniform(30, 60)
        recording_id = new_id()
        with transaction(vault.factory) as session:
            subject, kek = subjects.find_or_create(session, keyring=vault.keyring, details=details)
            recording = Recording(
                id=recording_id,
                call_id=f"{customer_id}-{n}",
                agent_id=f"agent-{n % 7}",
                uploaded_by="bench",
                started_at=NOW - timedelta(days=calls - n),
                direction="inbound",
                queue="billing",
                language="tr",
                channels="mono",
                subject_id=subject.id,
                key_id=subject.key_id,
                status=Status.READY.value,
                media_format="wav",
                codec="pcm_s16le",
                sample_rate=RATE,
                channel_count=1,
                duration_seconds=seconds,
                size_bytes=0,
                sha256="0" * 64,
            )
            session.add(recording)
            session.flush()
            raw, redacted = transcript(seconds)
            variants: list[tuple[str, Iterator[bytes], str]] = [
                ("original", wav(seconds), "audio/wav"),
                ("transcript-raw", iter([raw.model_dump_json().encode()]), "application/json"),
                (
                    "transcript-redacted",
                    iter([redacted.model_dump_json().encode()]),
                    "application/json",
                ),
            ]
            for variant, chunks, content_type in variants:
                sealed = blobs.write(
                    vault.store,
                    recording_id=recording_id,
                    variant=variant,
                    chunks=chunks,
                    segment_size=vault.settings.segment_size,
                )
                blobs.record(
                    session,
                    sealed=sealed,
                    key_id=subject.key_id,
                    kek=kek,
                    content_type=content_type,
                )
                if variant == "original":
                    recording.size_bytes = sealed.plaintext_size
                    total += sealed.plaintext_size
            for actor in ("kalite-1", "hukuk"):
                audit.record(
                    session,
                    event=audit.AuditEvent(
                        actor=actor,
                        role="rights_officer",
                        action="recording.audio.original",
                        resource_type="recording",
                        resource_id=recording_id,
                        variant="original",
                        purpose="customer-complaint",
                        outcome="allowed",
                    ),
                    signer=vault.signer,
                    checkpoint_every=vault.settings.audit_checkpoint_every,
                )
    return total


def ask(vault: Vault, customer_id: str, reference: str) -> str:
    """Register an access request for the subject and ask for its export."""
    with transaction(vault.factory) as session:
        subject = subjects.find_by_customer_id(
            session, keyring=vault.keyring, customer_id=customer_id
        )
        assert subject is not None
        register.register(
            session,
            reference=reference,
            kind=Kind.ACCESS,
            received_at=NOW,
            subject=subject,
            handler=None,
            notes=None,
            actor="bench",
            due_days=30,
            now=NOW,
        )
        row = session.get(Subject, subject.id)
        assert row is not None
        made = export.request_export(
            session, subject=row, request_ref=reference, actor="bench", now=NOW
        )
        return made.id


def measure(vault: Vault, export_id: str) -> tuple[float, float, float, int, int]:
    """Build one export: (seconds, peak resident MB, its growth in MB, ZIP bytes, files)."""
    before = memory_kib()["VmRSS"]
    reset_peak()
    started = time.perf_counter()
    outcome = export.build(vault, export_id, now=NOW)
    elapsed = time.perf_counter() - started
    peak = memory_kib()["VmHWM"]
    if outcome is not export.Outcome.BUILT:
        raise RuntimeError(f"the export was not built: {outcome}")
    with vault.factory() as session:
        row = session.get(Export, export_id)
        assert row is not None
        assert row.size_bytes is not None
        assert row.file_count is not None
        return (
            elapsed,
            peak * 1024 / MB,
            (peak - before) * 1024 / MB,
            row.size_bytes,
            row.file_count,
        )


def main() -> None:
    args = parse_args()
    rng = random.Random(6698)
    with tempfile.TemporaryDirectory(prefix="vault-bench-export-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        vault = open_vault(settings)
        try:
            print(f"storing {args.baseline_calls} + {args.calls} calls of 30-60 s, 16 kHz mono...")
            small = add_subject(vault, "BENCH-SMALL", args.baseline_calls, rng)
            large = add_subject(vault, "BENCH-LARGE", args.calls, rng)
            print(f"stored {small / MB:,.1f} MB + {large / MB:,.1f} MB of audio")
            small_id = ask(vault, "BENCH-SMALL", "REQ-SMALL")
            large_id = ask(vault, "BENCH-LARGE", "REQ-LARGE")
            # Warm-up: imports, the compressor, the database connection pool.
            warm_id = ask(vault, "BENCH-SMALL", "REQ-WARM-UP")
            export.build(vault, warm_id, now=NOW)
            peaks, growths, sizes = {}, {}, {}
            for label, calls, export_id in (
                ("baseline", args.baseline_calls, small_id),
                ("large", args.calls, large_id),
            ):
                elapsed, peak, growth, size, files = measure(vault, export_id)
                peaks[label], growths[label], sizes[label] = peak, growth, size
                print(
                    f"[{label:8}] {calls:4d} calls: export {size / MB:7.1f} MB, {files:4d} files, "
                    f"{size / MB / elapsed:6.1f} MB/s; peak resident {peak:6.1f} MB "
                    f"(growth during the build {growth:+5.1f} MB)"
                )
        finally:
            vault.close()
    verdict = "OK" if growths["large"] < 64 else "MISSED"
    print(
        f"export size large/baseline: {sizes['large'] / sizes['baseline']:.1f}x; "
        f"peak resident memory large/baseline: {peaks['large'] / peaks['baseline']:.2f}x "
        f"(target: ~1x, growth under 64 MB) {verdict}"
    )


if __name__ == "__main__":
    main()
