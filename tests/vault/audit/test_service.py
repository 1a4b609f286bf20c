"""The audit log on SQLite and PostgreSQL: appends, checkpoints, concurrency, tampering."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from models.tables import AuditCheckpoint, AuditEntry, AuditHead
from vault.audit import service as audit
from vault.audit.chain import GENESIS_HASH, HASHED_FIELDS, checkpoint_message, entry_hash
from vault.audit.signing import AuditSigner
from vault.db import is_sqlite, transaction

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
RECORDING = "6f1c2a9e-1d4b-4c55-9a43-0c9e6b2f7d10"

EVENT = audit.AuditEvent(
    actor="officer-7",
    role="rights_officer",
    action="recording.audio",
    resource_type="recording",
    resource_id=RECORDING,
    variant="original",
    purpose="dispute",
    outcome="allowed",
    client_addr="10.0.0.7",
    request_id="req-0",
)


@pytest.fixture
def signer() -> AuditSigner:
    return AuditSigner.generate()


def append(
    factory: sessionmaker[Session],
    signer: AuditSigner,
    count: int,
    *,
    every: int = 8,
    start: datetime = T0,
) -> None:
    """``count`` entries, each in its own committed transaction, one second apart."""
    for i in range(count):
        with transaction(factory) as session:
            audit.record(
                session,
                event=replace(EVENT, request_id=f"req-{i}"),
                signer=signer,
                checkpoint_every=every,
                now=start + timedelta(seconds=i),
            )


def check(
    factory: sessionmaker[Session], signer: AuditSigner | list[AuditSigner]
) -> audit.VerifyReport:
    """Verify with a large and a small batch size; both must say the same."""
    with factory() as session:
        report = audit.verify(session, verifier=signer)
        assert audit.verify(session, verifier=signer, batch_size=3) == report
    return report


def entries(factory: sessionmaker[Session]) -> list[AuditEntry]:
    with factory() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


# Appending.


def test_appends_form_a_chain(session_factory: sessionmaker[Session], signer: AuditSigner) -> None:
    append(session_factory, signer, 5)
    rows = entries(session_factory)
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert rows[2].at == T0 + timedelta(seconds=2)
    assert (rows[2].actor, rows[2].variant, rows[2].request_id) == (
        "officer-7",
        "original",
        "req-2",
    )
    with session_factory() as session:
        head = session.get_one(AuditHead, 1)
        assert (head.seq, head.hash) == (5, rows[-1].hash)
    assert check(session_factory, signer) == audit.VerifyReport(ok=True, entries=5, checkpoints=0)


def test_record_returns_the_flushed_entry_and_leaves_the_commit_to_the_caller(
    session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    with session_factory() as session:
        entry = audit.record(session, event=EVENT, signer=signer, checkpoint_every=8)
        assert (entry.seq, entry.prev_hash, entry.outcome) == (1, GENESIS_HASH, "allowed")
        assert entry.at.tzinfo is not None
        session.rollback()
    assert entries(session_factory) == []
    append(session_factory, signer, 1)
    assert [row.seq for row in entries(session_factory)] == [1]


def test_time_is_stored_in_utc_to_the_microsecond(
    session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    local = datetime(2026, 3, 14, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=3)))
    with transaction(session_factory) as session:
        audit.record(session, event=EVENT, signer=signer, checkpoint_every=8, now=local)
    (row,) = entries(session_factory)
    assert row.at == local
    assert row.at.utcoffset() == timedelta(0)
    assert check(session_factory, signer).ok
    with session_factory() as session, pytest.raises(ValueError, match="timezone-aware"):
        audit.record(
            session, event=EVENT, signer=signer, checkpoint_every=8, now=datetime(2026, 1, 1)
        )


def test_every_nth_entry_is_checkpointed_and_signed(
    session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    append(session_factory, signer, 10, every=4)
    rows = {row.seq: row for row in entries(session_factory)}
    with session_factory() as session:
        checkpoints = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)))
    assert [c.seq for c in checkpoints] == [4, 8]
    for c in checkpoints:
        assert c.hash == rows[c.seq].hash
        assert c.at == rows[c.seq].at
        assert c.signing_key_id == signer.key_id
        assert signer.verify(checkpoint_message(seq=c.seq, hash=c.hash, at=c.at), c.signature)
    assert check(session_factory, signer) == audit.VerifyReport(ok=True, entries=10, checkpoints=2)


def test_checkpoint_signs_the_tip_once(
    session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    with transaction(session_factory) as session:
        assert audit.checkpoint(session, signer=signer) is None  # nothing to vouch for yet
    append(session_factory, signer, 10, every=4)
    with transaction(session_factory) as session:
        made = audit.checkpoint(session, signer=signer, now=T0 + timedelta(hours=1))
        assert made is not None
        assert (made.seq, made.at) == (10, T0 + timedelta(hours=1))
    with transaction(session_factory) as session:
        assert audit.checkpoint(session, signer=signer) is None
    assert check(session_factory, signer) == audit.VerifyReport(ok=True, entries=10, checkpoints=3)


def test_an_empty_log_verifies(session_factory: sessionmaker[Session], signer: AuditSigner) -> None:
    assert check(session_factory, signer) == audit.VerifyReport(ok=True, entries=0, checkpoints=0)


def test_past_keys_can_be_trusted_beside_the_current_one(
    session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    append(session_factory, signer, 8, every=4)
    rotated = AuditSigner.generate()
    append(session_factory, rotated, 8, every=4, start=T0 + timedelta(minutes=1))
    assert check(session_factory, [signer, rotated]).ok
    report = check(session_factory, rotated)
    assert (report.ok, report.first_bad_seq) == (False, 4)
    assert report.problem == (
        f"checkpoint 4: signed by key {signer.key_id!r}, which is not trusted"
    )


def test_concurrent_appends_never_fork_the_chain(
    session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    threads, per_thread = 8, 25
    start = threading.Barrier(threads)

    def work(worker: int) -> None:
        start.wait()
        for i in range(per_thread):
            with transaction(session_factory) as session:
                audit.record(
                    session,
                    event=replace(EVENT, actor=f"agent-{worker}", request_id=f"{worker}-{i}"),
                    signer=signer,
                    checkpoint_every=16,
                )

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(work, n) for n in range(threads)]:
            future.result()  # no retries needed: a waiting appender never fails
    rows = entries(session_factory)
    assert [row.seq for row in rows] == list(range(1, threads * per_thread + 1))
    assert len({row.request_id for row in rows}) == threads * per_thread
    assert check(session_factory, signer) == audit.VerifyReport(
        ok=True, entries=200, checkpoints=200 // 16
    )


def test_verify_follows_appends_that_commit_while_it_walks(
    session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    done = threading.Event()

    def work(worker: int) -> None:
        for i in range(25):
            with transaction(session_factory) as session:
                audit.record(
                    session,
                    event=replace(EVENT, request_id=f"{worker}-{i}"),
                    signer=signer,
                    checkpoint_every=5,
                )

    def appenders() -> None:
        try:
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(work, range(4)))
        finally:
            done.set()

    reports = []
    with ThreadPoolExecutor(1) as background:
        appending = background.submit(appenders)
        while True:
            finished = done.is_set()
            with session_factory() as session:
                reports.append(audit.verify(session, verifier=signer, batch_size=4))
            if finished:
                break
        appending.result()
    assert reports
    assert all(report.ok for report in reports), [r.problem for r in reports if not r.ok]
    assert check(session_factory, signer) == audit.VerifyReport(
        ok=True, entries=100, checkpoints=20
    )


# Reading.


def test_list_entries_filters_and_pages_by_seq(
    session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    with transaction(session_factory) as session:
        for i in range(12):
            event = replace(
                EVENT,
                actor=f"agent-{i % 3}",
                action="recording.audio" if i % 2 else "recording.transcript",
                resource_id=f"rec-{i % 4}",
                outcome="denied" if i % 5 == 0 else "allowed",
            )
            now = T0 + timedelta(minutes=i)
            audit.record(session, event=event, signer=signer, checkpoint_every=100, now=now)

    def seqs(**filters: Any) -> list[int]:
        with session_factory() as session:
            return [row.seq for row in audit.list_entries(session, **filters)]

    assert seqs() == list(range(1, 13))
    assert seqs(limit=5) == [1, 2, 3, 4, 5]
    assert seqs(after_seq=5, limit=5) == [6, 7, 8, 9, 10]
    assert seqs(after_seq=10, limit=5) == [11, 12]
    assert seqs(actor="agent-1") == [2, 5, 8, 11]
    assert seqs(action="recording.audio") == [2, 4, 6, 8, 10, 12]
    assert seqs(resource_id="rec-2") == [3, 7, 11]
    assert seqs(outcome="denied") == [1, 6, 11]
    assert seqs(since=T0 + timedelta(minutes=3), until=T0 + timedelta(minutes=6)) == [4, 5, 6]
    assert seqs(actor="agent-1", outcome="allowed", after_seq=2) == [5, 8]
    assert seqs(actor="nobody") == []
    with session_factory() as session, pytest.raises(ValueError, match="limit"):
        audit.list_entries(session, limit=0)


def test_list_entries_returns_at_most_a_thousand(
    session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    with transaction(session_factory) as session:
        for _ in range(1002):
            audit.record(session, event=EVENT, signer=signer, checkpoint_every=10_000)
    with session_factory() as session:
        page = audit.list_entries(session, limit=5000)
        assert [row.seq for row in page] == list(range(1, 1001))
        assert [row.seq for row in audit.list_entries(session, after_seq=1000)] == [1001, 1002]


# Events.


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"outcome": "maybe"}, "outcome must be one of"),
        ({"actor": ""}, "'actor' is empty"),
        ({"action": ""}, "'action' is empty"),
        ({"resource_type": ""}, "'resource_type' is empty"),
        ({"actor": "a" * 129}, "'actor' is longer than 128"),
        ({"role": "r" * 33}, "'role' is longer than 32"),
        ({"action": "a" * 65}, "'action' is longer than 64"),
        ({"resource_id": "x" * 65}, "'resource_id' is longer than 64"),
        ({"purpose": "p" * 161}, "'purpose' is longer than 160"),
        ({"reason": "r" * 65}, "'reason' is longer than 64"),
        ({"client_addr": "1" * 65}, "'client_addr' is longer than 64"),
        ({"request_id": "q" * 65}, "'request_id' is longer than 64"),
        ({"variant": "v" * 33}, "'variant' is longer than 32"),
        ({"purpose": "dispute\nforged line"}, "'purpose' holds control characters"),
        ({"actor": "agent\x00"}, "'actor' holds control characters"),
        ({"resource_id": 7}, "'resource_id' must be a string"),
    ],
)
def test_malformed_events_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(EVENT, **changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"purpose": "p" * 160, "actor": "ayşe.yılmaz"},
        {"role": None, "resource_id": None, "variant": None, "purpose": None},
        {"actor": audit.ANONYMOUS, "outcome": "denied", "reason": "invalid_token"},
        {"outcome": "error", "reason": "not_found"},
    ],
)
def test_well_formed_events_are_accepted(changes: dict[str, Any]) -> None:
    assert replace(EVENT, **changes).outcome in audit.OUTCOMES


# Tampering: an attacker with direct database access.


@contextmanager
def tampering(engine: Engine) -> Iterator[Connection]:
    """A connection that has lifted the append-only triggers, as a database superuser can."""
    with engine.begin() as conn:
        if is_sqlite(engine):
            for table in ("audit_entries", "audit_checkpoints"):
                for verb in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        yield conn


def _row(conn: Connection, seq: int) -> dict[str, Any]:
    return dict(
        conn.execute(select(AuditEntry.__table__).where(AuditEntry.seq == seq)).mappings().one()
    )


def _set(conn: Connection, seq: int, **values: Any) -> None:
    conn.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(**values))


def _rewrite(conn: Connection, seq: int, *, prev_hash: str | None = None, **changes: Any) -> str:
    """Change an entry and recompute its hash, as an attacker who read this code would."""
    row = _row(conn, seq) | changes
    prev = row["prev_hash"] if prev_hash is None else prev_hash
    digest = entry_hash(prev, {name: row[name] for name in HASHED_FIELDS})
    _set(conn, seq, **changes, prev_hash=prev, hash=digest)
    return digest


def _set_head(conn: Connection, seq: int, digest: str) -> None:
    conn.execute(update(AuditHead).values(seq=seq, hash=digest))


def _swap(conn: Connection, a: int, b: int, columns: tuple[str, ...]) -> None:
    row_a, row_b = _row(conn, a), _row(conn, b)
    _set(conn, a, **{c: row_b[c] for c in columns})
    _set(conn, b, **{c: row_a[c] for c in columns})


def _truncate(conn: Connection, from_seq: int) -> None:
    conn.execute(delete(AuditEntry).where(AuditEntry.seq >= from_seq))
    last = _row(conn, from_seq - 1)
    _set_head(conn, last["seq"], last["hash"])


def _forge_checkpoint(conn: Connection, seq: int, key_id: str, signature: bytes) -> None:
    digest = _row(conn, seq)["hash"] if seq <= 20 else "ee" * 32
    conn.execute(
        insert(AuditCheckpoint).values(
            seq=seq, hash=digest, at=T0, signing_key_id=key_id, signature=signature
        )
    )


def _sign_with_another_key(conn: Connection, signer: AuditSigner) -> None:
    other = AuditSigner.generate()
    digest = _row(conn, 12)["hash"]
    signature = other.sign(checkpoint_message(seq=12, hash=digest, at=T0))
    _forge_checkpoint(conn, 12, other.key_id, signature)


def _rewrite_tail(conn: Connection) -> None:
    prev = _row(conn, 10)["hash"]
    for seq in range(11, 21):
        prev = _rewrite(conn, seq, prev_hash=prev, actor="someone-else")
    _set_head(conn, 20, prev)


ALL_BUT_SEQ = tuple(c for c in (*HASHED_FIELDS, "prev_hash", "hash") if c != "seq")
DESCRIPTIVE = ("actor", "role", "action", "resource_id", "variant", "purpose", "request_id")
ALTERED = "its hash does not match its contents (altered)"

# Each case: what the attacker does (after 20 entries, checkpoints at 8 and 16 and a
# checkpoint of the tip at 20), the first bad entry verify must name, and its sentence.
Tamper = Callable[[Connection, AuditSigner], object]
TAMPERING: list[tuple[str, Tamper, int, str]] = [
    (
        "alter a field",
        lambda c, s: _set(c, 5, action="recording.metadata"),
        5,
        f"entry 5: {ALTERED}",
    ),
    (
        "alter the time",
        lambda c, s: _set(c, 5, at=T0 + timedelta(days=1)),
        5,
        f"entry 5: {ALTERED}",
    ),
    ("erase a purpose", lambda c, s: _set(c, 5, purpose=None), 5, f"entry 5: {ALTERED}"),
    ("alter the stored hash", lambda c, s: _set(c, 5, hash="ab" * 32), 5, f"entry 5: {ALTERED}"),
    ("alter the link", lambda c, s: _set(c, 5, prev_hash="ab" * 32), 5, f"entry 5: {ALTERED}"),
    (
        "rewrite an entry and its hash",
        lambda c, s: _rewrite(c, 5, outcome="denied"),
        5,
        "entry 5: entry 6 records a different hash for it (entry 5 was rewritten, or entry 6 was)",
    ),
    (
        "rewrite the first entry and its hash",
        lambda c, s: _rewrite(c, 1, actor="someone-else"),
        1,
        "entry 1: entry 2 records a different hash for it (entry 1 was rewritten, or entry 2 was)",
    ),
    (
        "relink an entry after a checkpoint",
        lambda c, s: _rewrite(c, 9, prev_hash="ab" * 32),
        9,
        "entry 9: it does not link to entry 8 (rewritten or replaced)",
    ),
    (
        "rewrite the whole tail consistently",
        lambda c, s: _rewrite_tail(c),
        9,
        "entry 9: signed checkpoint 16 vouches for a different entry 16 "
        "(some entry from 9 to 16 was rewritten)",
    ),
    (
        "delete an entry",
        lambda c, s: c.execute(delete(AuditEntry).where(AuditEntry.seq == 5)),
        5,
        "entry 5: missing (the sequence jumps from 4 to 6)",
    ),
    (
        "delete the first entry",
        lambda c, s: c.execute(delete(AuditEntry).where(AuditEntry.seq == 1)),
        1,
        "entry 1: missing (the log starts at 2)",
    ),
    (
        "delete the tail past a checkpoint",
        lambda c, s: _truncate(c, 18),
        18,
        "entry 18: the chain ends at 17 but a signed checkpoint vouches for 20 "
        "(entries were deleted from the end)",
    ),
    (
        "delete the tail and its checkpoint, but not the head",
        lambda c, s: [
            c.execute(delete(AuditEntry).where(AuditEntry.seq >= 18)),
            c.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq == 20)),
        ],
        18,
        "entry 18: the chain ends at 17 but its head records 20 "
        "(entries were deleted from the end)",
    ),
    ("swap two entries", lambda c, s: _swap(c, 5, 12, ALL_BUT_SEQ), 5, f"entry 5: {ALTERED}"),
    ("swap neighbours", lambda c, s: _swap(c, 6, 7, ALL_BUT_SEQ), 6, f"entry 6: {ALTERED}"),
    ("swap descriptions", lambda c, s: _swap(c, 5, 12, DESCRIPTIVE), 5, f"entry 5: {ALTERED}"),
    (
        "alter the head's hash",
        lambda c, s: _set_head(c, 20, "ab" * 32),
        20,
        "entry 20: the chain head does not match it (head altered)",
    ),
    (
        "move the head back",
        lambda c, s: _set_head(c, 15, _row(c, 15)["hash"]),
        16,
        "entry 16: the chain head says the log ends at 15, but entries go on to 20 (head altered)",
    ),
    (
        "delete the head",
        lambda c, s: c.execute(delete(AuditHead)),
        20,
        "entry 20: the chain head is missing (deleted)",
    ),
    (
        "alter a checkpoint",
        lambda c, s: c.execute(
            update(AuditCheckpoint).where(AuditCheckpoint.seq == 8).values(hash="ab" * 32)
        ),
        8,
        "checkpoint 8: bad signature",
    ),
    (
        "forge a checkpoint with the vault's key id",
        lambda c, s: _forge_checkpoint(c, 12, s.key_id, b"\x00" * 64),
        12,
        "checkpoint 12: bad signature",
    ),
    (
        "forge a checkpoint past the end",
        lambda c, s: _forge_checkpoint(c, 30, s.key_id, b"\x00" * 64),
        30,
        "checkpoint 30: bad signature",
    ),
    (
        "sign a checkpoint with another key",
        _sign_with_another_key,
        12,
        "checkpoint 12: signed by key ",
    ),
    (
        "append an entry without moving the head",
        lambda c, s: c.execute(
            insert(AuditEntry).values(_row(c, 20) | {"seq": 21, "prev_hash": _row(c, 20)["hash"]})
        ),
        21,
        "entry 21: ",  # its hash was not recomputed for the new seq
    ),
]


@pytest.mark.parametrize(
    ("tamper", "first_bad", "problem"),
    [case[1:] for case in TAMPERING],
    ids=[case[0] for case in TAMPERING],
)
def test_tampering_is_detected_at_the_first_bad_entry(
    engine: Engine,
    session_factory: sessionmaker[Session],
    signer: AuditSigner,
    tamper: Tamper,
    first_bad: int,
    problem: str,
) -> None:
    append(session_factory, signer, 20, every=8)
    with transaction(session_factory) as session:
        audit.checkpoint(session, signer=signer, now=T0 + timedelta(hours=1))
    assert check(session_factory, signer) == audit.VerifyReport(ok=True, entries=20, checkpoints=3)
    with tampering(engine) as conn:
        tamper(conn, signer)
    report = check(session_factory, signer)
    assert not report.ok
    assert report.first_bad_seq == first_bad
    assert report.problem is not None
    assert report.problem.startswith(problem), report.problem
    assert report.entries < 21


def test_an_appended_entry_with_a_valid_hash_but_no_head_move_is_detected(
    engine: Engine, session_factory: sessionmaker[Session], signer: AuditSigner
) -> None:
    append(session_factory, signer, 3)
    with tampering(engine) as conn:
        last = _row(conn, 3)
        forged = last | {"seq": 4, "prev_hash": last["hash"], "actor": "someone-else"}
        forged["hash"] = entry_hash(last["hash"], {name: forged[name] for name in HASHED_FIELDS})
        conn.execute(insert(AuditEntry).values(forged))
    report = check(session_factory, signer)
    assert (report.ok, report.first_bad_seq, report.entries) == (False, 4, 4)
    assert report.problem == (
        "entry 4: the chain head says the log ends at 3, but entries go on to 4 (head altered)"
    )


@pytest.mark.parametrize("table", [AuditEntry, AuditCheckpoint])
@pytest.mark.parametrize("verb", ["update", "delete"])
def test_the_database_refuses_changes_to_the_log(
    engine: Engine,
    session_factory: sessionmaker[Session],
    signer: AuditSigner,
    table: type[AuditEntry] | type[AuditCheckpoint],
    verb: str,
) -> None:
    append(session_factory, signer, 2, every=1)
    statement = update(table).values(hash="ab" * 32) if verb == "update" else delete(table)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(statement)
    assert check(session_factory, signer) == audit.VerifyReport(ok=True, entries=2, checkpoints=2)


def test_nothing_personal_is_logged(
    engine: Engine,
    session_factory: sessionmaker[Session],
    signer: AuditSigner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_actor, secret_purpose = "ayşe.yılmaz", "complaint-ref-5551234"
    with transaction(session_factory) as session:
        for _ in range(4):
            audit.record(
                session,
                event=replace(EVENT, actor=secret_actor, purpose=secret_purpose),
                signer=signer,
                checkpoint_every=2,
            )
        audit.checkpoint(session, signer=signer)
    check(session_factory, signer)
    with tampering(engine) as conn:
        _set(conn, 2, actor="someone-else")
    assert not check(session_factory, signer).ok
    assert caplog.records  # verify does log: counts and sequence numbers
    for value in (secret_actor, secret_purpose, RECORDING, "someone-else"):
        assert value not in caplog.text
