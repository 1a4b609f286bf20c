"""The anchor outside the database catches a tail cut off together with its checkpoints."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from models.tables import AuditCheckpoint, AuditEntry
from tests.vault.audit.test_service import _row, _set_head, append, signer, tampering
from vault.audit import anchor
from vault.audit import service as audit
from vault.audit.signing import AuditSigner
from vault.db import transaction

__all__ = ["signer"]  # the fixture, imported for pytest


def anchored(factory: sessionmaker[Session], signer: AuditSigner, path: Path) -> anchor.Anchor:
    with transaction(factory) as session:
        audit.checkpoint(session, signer=signer)
        tip = anchor.latest_checkpoint(session)
    assert tip is not None
    saved = anchor.Anchor.of(tip)
    anchor.save(path, saved)
    return saved


def test_an_intact_log_verifies_against_its_anchor(
    session_factory: sessionmaker[Session], signer: AuditSigner, tmp_path: Path
) -> None:
    path = tmp_path / "anchor.json"
    append(session_factory, signer, 12)
    saved = anchored(session_factory, signer, path)
    assert saved.seq == 12
    assert path.stat().st_mode & 0o777 == 0o600
    append(session_factory, signer, 3)
    with session_factory() as session:
        assert anchor.verify(session, signer=signer, path=path).ok


def test_a_tail_cut_with_its_checkpoints_is_caught_by_the_anchor(
    session_factory: sessionmaker[Session], signer: AuditSigner, tmp_path: Path
) -> None:
    path = tmp_path / "anchor.json"
    append(session_factory, signer, 20)
    anchored(session_factory, signer, path)
    engine = session_factory.kw["bind"]
    with tampering(engine) as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.seq >= 15))
        conn.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq >= 15))
        last = _row(conn, 14)
        _set_head(conn, 14, last["hash"])
    with session_factory() as session:
        assert audit.verify(session, verifier=signer).ok  # the chain alone cannot tell
        report = anchor.verify(session, signer=signer, path=path)
    assert not report.ok
    assert report.first_bad_seq == 15
    assert report.problem is not None
    assert "entry 20: missing" in report.problem


def test_a_forged_anchor_is_refused(
    session_factory: sessionmaker[Session], signer: AuditSigner, tmp_path: Path
) -> None:
    path = tmp_path / "anchor.json"
    append(session_factory, signer, 5)
    saved = anchored(session_factory, signer, path)
    forged = anchor.Anchor(**{**saved.__dict__, "seq": 4})
    anchor.save(path, forged)
    with session_factory() as session:
        report = anchor.verify(session, signer=signer, path=path)
    assert not report.ok
    assert report.problem == "the anchor's signature does not verify with the audit signing key"
