"""An anchor kept outside the database: the latest signed checkpoint that verification saw.

Signed checkpoints inside the database cannot prove that the tail was not cut off together
with its checkpoints by someone with write access to the database. ``vault audit verify``
therefore stores the tip's checkpoint in a file (or wherever the operator copies it), and every
later verification checks that the chain still holds that entry with that hash.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import AuditCheckpoint, AuditEntry
from vault.audit import service
from vault.audit.chain import checkpoint_message
from vault.audit.service import VerifyReport
from vault.audit.signing import AuditSigner


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    signing_key_id: str
    signature: str  # base64

    @classmethod
    def of(cls, checkpoint: AuditCheckpoint) -> Anchor:
        return cls(
            seq=checkpoint.seq,
            hash=checkpoint.hash,
            at=checkpoint.at.isoformat(),
            signing_key_id=checkpoint.signing_key_id,
            signature=base64.b64encode(checkpoint.signature).decode(),
        )


def load(path: Path) -> Anchor | None:
    if not path.exists():
        return None
    try:
        return Anchor(**json.loads(path.read_text()))
    except (ValueError, TypeError) as error:
        raise ValueError(f"the audit anchor file is unreadable: {error}") from None


def save(path: Path, anchor: Anchor) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(anchor), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
    ).first()


def check(session: Session, anchor: Anchor, *, signer: AuditSigner) -> str | None:
    """None if the chain still holds the anchored entry; else a sentence saying what is wrong."""
    message = checkpoint_message(
        seq=anchor.seq, hash=anchor.hash, at=datetime.fromisoformat(anchor.at)
    )
    if anchor.signing_key_id != signer.key_id or not signer.verify(
        message, base64.b64decode(anchor.signature)
    ):
        return "the anchor's signature does not verify with the audit signing key"
    stored = session.get(AuditEntry, anchor.seq)
    if stored is None:
        return (
            f"entry {anchor.seq}: missing, yet the anchor saved at {anchor.at} vouches for it "
            "(entries were deleted from the end, checkpoints with them)"
        )
    if stored.hash != anchor.hash:
        return f"entry {anchor.seq}: its hash differs from the one the anchor vouches for"
    return None


def verify(session: Session, *, signer: AuditSigner, path: Path) -> VerifyReport:
    """The chain's own verification, then the anchor's: both must hold."""
    report = service.verify(session, verifier=signer)
    if not report.ok:
        return report
    anchor = load(path)
    problem = check(session, anchor, signer=signer) if anchor is not None else None
    if problem is None:
        return report
    assert anchor is not None
    return VerifyReport(
        ok=False,
        entries=report.entries,
        checkpoints=report.checkpoints,
        first_bad_seq=min(anchor.seq, report.entries + 1),
        problem=problem,
    )
