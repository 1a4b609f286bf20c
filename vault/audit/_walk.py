"""The walk behind ``service.verify``: one pass over entries, checkpoints and the head.

Rows are read in keyset-paginated batches as plain tuples (not ORM objects), so memory stays
bounded however long the log is. The first problem found raises ``Broken`` with the earliest
entry that can no longer be trusted and a sentence saying why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from models.tables import AuditCheckpoint, AuditEntry, AuditHead
from vault.audit.chain import GENESIS_HASH, HASHED_FIELDS, FieldValue, entry_hash
from vault.audit.signing import AuditSigner, AuditVerifier, verify_checkpoint

HEAD_ID = 1
"""The primary key of the one ``audit_head`` row."""


class Broken(Exception):
    """The chain is damaged from entry ``seq`` on; ``problem`` says how."""

    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(problem)
        self.seq = seq
        self.problem = problem


_AnyRow = Row[*tuple[Any, ...]]
_ENTRY_COLUMNS = tuple(getattr(AuditEntry, name) for name in (*HASHED_FIELDS, "prev_hash", "hash"))
_CHECKPOINT_COLUMNS = (
    AuditCheckpoint.seq,
    AuditCheckpoint.hash,
    AuditCheckpoint.at,
    AuditCheckpoint.signing_key_id,
    AuditCheckpoint.signature,
)


class ChainWalk:
    """One pass over the chain; rows are read as plain tuples, so memory stays bounded."""

    def __init__(
        self, session: Session, trusted: Mapping[str, AuditVerifier | AuditSigner], batch: int
    ) -> None:
        self.session = session
        self.trusted = trusted
        self.batch = batch
        self.entries = 0
        self.checkpoints = 0
        self.last_seq = 0
        self.last_hash = GENESIS_HASH
        self.vouched_seq = 0  # the last entry a valid checkpoint confirmed

    def run(self) -> None:
        stray = self.session.execute(
            select(*_CHECKPOINT_COLUMNS).where(AuditCheckpoint.seq < 1).limit(1)
        ).first()
        if stray is not None:
            raise Broken(stray.seq, f"checkpoint {stray.seq}: no entry can have that number")
        while True:
            while self._next_batch():
                pass
            if self._end_reached():
                return
            # otherwise entries were appended while we walked: follow them

    def _next_batch(self) -> bool:
        rows = self.session.execute(
            select(*_ENTRY_COLUMNS)
            .where(AuditEntry.seq > self.last_seq)
            .order_by(AuditEntry.seq)
            .limit(self.batch)
        ).all()
        if not rows:
            return False
        contiguous = 0
        while contiguous < len(rows) and rows[contiguous].seq == self.last_seq + contiguous + 1:
            contiguous += 1
        checkpoints = {
            row.seq: row
            for row in self.session.execute(
                select(*_CHECKPOINT_COLUMNS).where(
                    AuditCheckpoint.seq > self.last_seq,
                    AuditCheckpoint.seq <= self.last_seq + contiguous,
                )
            )
        }
        for row in rows[:contiguous]:
            self._check_entry(row)
            if row.seq in checkpoints:
                self._check_checkpoint(checkpoints[row.seq], entry_hash_=row.hash)
            self.entries += 1
            self.last_seq, self.last_hash = row.seq, row.hash
        if contiguous < len(rows):
            missing, found = self.last_seq + 1, rows[contiguous].seq
            if missing == 1:
                raise Broken(1, f"entry 1: missing (the log starts at {found})")
            raise Broken(
                missing,
                f"entry {missing}: missing (the sequence jumps from {self.last_seq} to {found})",
            )
        return True

    def _check_entry(self, row: _AnyRow) -> None:
        seq: int = row.seq
        values: dict[str, FieldValue] = {name: getattr(row, name) for name in HASHED_FIELDS}
        try:
            recomputed = entry_hash(row.prev_hash, values)
        except ValueError:
            recomputed = None
        if recomputed != row.hash:
            raise Broken(seq, f"entry {seq}: its hash does not match its contents (altered)")
        if row.prev_hash == self.last_hash:
            return
        if seq == 1:
            raise Broken(1, "entry 1: it does not start from the genesis hash (altered)")
        if self.vouched_seq == seq - 1:  # its predecessor is vouched for: this one is wrong
            raise Broken(
                seq, f"entry {seq}: it does not link to entry {seq - 1} (rewritten or replaced)"
            )
        raise Broken(
            seq - 1,
            f"entry {seq - 1}: entry {seq} records a different hash for it "
            f"(entry {seq - 1} was rewritten, or entry {seq} was)",
        )

    def _check_checkpoint(self, row: _AnyRow, *, entry_hash_: str | None) -> None:
        seq: int = row.seq
        key = self.trusted.get(row.signing_key_id)
        if key is None:
            raise Broken(
                seq, f"checkpoint {seq}: signed by key {row.signing_key_id!r}, which is not trusted"
            )
        signed = verify_checkpoint(
            key,
            seq=seq,
            hash=row.hash,
            at=row.at,
            signing_key_id=row.signing_key_id,
            signature=row.signature,
        )
        if not signed:
            raise Broken(seq, f"checkpoint {seq}: bad signature")
        if entry_hash_ is None:
            raise Broken(
                self.last_seq + 1,
                f"entry {self.last_seq + 1}: the chain ends at {self.last_seq} but a signed "
                f"checkpoint vouches for {seq} (entries were deleted from the end)",
            )
        if row.hash != entry_hash_:
            first = self.vouched_seq + 1  # the last valid checkpoint still vouches up to there
            raise Broken(
                first,
                f"entry {first}: signed checkpoint {seq} vouches for a different entry {seq} "
                f"(some entry from {first} to {seq} was rewritten)",
            )
        self.checkpoints += 1
        self.vouched_seq = seq

    def _end_reached(self) -> bool:
        """Check what lies past the last entry; ``False`` when more entries have appeared."""
        head = self.session.execute(
            select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
        ).one_or_none()
        beyond = self.session.execute(
            select(*_CHECKPOINT_COLUMNS)
            .where(AuditCheckpoint.seq > self.last_seq)
            .order_by(AuditCheckpoint.seq)
            .limit(1)
        ).first()
        ahead = (head is not None and head.seq > self.last_seq) or beyond is not None
        if ahead and self._more_entries():
            return False
        last, end = self.last_seq, self.last_seq + 1
        if beyond is not None:
            self._check_checkpoint(beyond, entry_hash_=None)
        if head is None:
            if last == 0:
                return True
            raise Broken(last, f"entry {last}: the chain head is missing (deleted)")
        if head.seq > last:
            raise Broken(
                end,
                f"entry {end}: the chain ends at {last} but its head records {head.seq} "
                "(entries were deleted from the end)",
            )
        if head.seq < last:
            raise Broken(
                head.seq + 1,
                f"entry {head.seq + 1}: the chain head says the log ends at {head.seq}, "
                f"but entries go on to {last} (head altered)",
            )
        if head.hash != self.last_hash:
            if last == 0:
                raise Broken(1, "the chain head does not match the empty log (head altered)")
            raise Broken(last, f"entry {last}: the chain head does not match it (head altered)")
        return True

    def _more_entries(self) -> bool:
        found = self.session.execute(
            select(AuditEntry.seq).where(AuditEntry.seq > self.last_seq).limit(1)
        ).first()
        return found is not None
