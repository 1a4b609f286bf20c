"""Finding, creating and reading data subjects; personal values sealed with the subject's key."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.tables import Subject
from vault.db import lock_for_write
from vault.errors import KeyDestroyed, VaultError
from vault.keys import service as keys
from vault.keys.keyring import MasterKeyring
from vault.subjects.identity import (
    blind_index,
    normalise_customer_id,
    normalise_email,
    normalise_phone,
)


@dataclass(frozen=True, repr=False)
class SubjectDetails:
    """What the upload metadata says about the customer. ``repr`` hides the values."""

    customer_id: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None

    def __repr__(self) -> str:
        return "SubjectDetails(<redacted>)"


def _details_key(kek: bytes) -> bytes:
    return keys.derive(kek, purpose=b"subject details")


def _seal(kek: bytes, subject_id: str, details: SubjectDetails) -> bytes:
    nonce = os.urandom(12)
    body = json.dumps(asdict(details), ensure_ascii=False).encode()
    return nonce + AESGCM(_details_key(kek)).encrypt(nonce, body, subject_id.encode())


def _open(kek: bytes, subject_id: str, sealed: bytes) -> SubjectDetails:
    try:
        body = AESGCM(_details_key(kek)).decrypt(sealed[:12], sealed[12:], subject_id.encode())
    except InvalidTag:
        raise VaultError(f"subject {subject_id}: sealed details failed authentication") from None
    return SubjectDetails(**json.loads(body))


def _indexes(keyring: MasterKeyring, details: SubjectDetails) -> dict[str, str | None]:
    key = keyring.index_key()
    return {
        "customer_id_index": blind_index(
            key, kind="customer_id", value=normalise_customer_id(details.customer_id)
        ),
        "phone_index": blind_index(key, kind="phone", value=normalise_phone(details.phone))
        if details.phone
        else None,
        "email_index": blind_index(key, kind="email", value=normalise_email(details.email))
        if details.email
        else None,
    }


def find_by_customer_id(
    session: Session, *, keyring: MasterKeyring, customer_id: str
) -> Subject | None:
    index = blind_index(
        keyring.index_key(), kind="customer_id", value=normalise_customer_id(customer_id)
    )
    return session.scalars(select(Subject).where(Subject.customer_id_index == index)).first()


def resolve(session: Session, *, keyring: MasterKeyring, ref: str) -> Subject | None:
    """The subject a path names: its own id, or the customer id the upload metadata gave."""
    try:
        subject_id = str(UUID(ref))
    except ValueError:
        subject_id = None
    if subject_id is not None:
        subject = session.get(Subject, subject_id)
        if subject is not None:
            return subject
    if not ref.strip():
        return None
    return find_by_customer_id(session, keyring=keyring, customer_id=ref)


def find(
    session: Session,
    *,
    keyring: MasterKeyring,
    customer_id: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> list[Subject]:
    """Subjects matching any of the values given, through their keyed blind indexes: the
    database is searched without holding these values in clear. Erased subjects are found by
    customer id only (their tombstone)."""
    key = keyring.index_key()
    found: dict[str, Subject] = {}
    if customer_id:
        subject = find_by_customer_id(session, keyring=keyring, customer_id=customer_id)
        if subject is not None:
            found[subject.id] = subject
    if phone:
        index = blind_index(key, kind="phone", value=normalise_phone(phone))
        for subject in session.scalars(select(Subject).where(Subject.phone_index == index)):
            found[subject.id] = subject
    if email:
        index = blind_index(key, kind="email", value=normalise_email(email))
        for subject in session.scalars(select(Subject).where(Subject.email_index == index)):
            found[subject.id] = subject
    return sorted(found.values(), key=lambda s: (s.created_at, s.id))


def correct(
    session: Session,
    *,
    keyring: MasterKeyring,
    subject: Subject,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> tuple[bytes, list[str]]:
    """Replace the given details; returns the earlier details, sealed under the subject's key
    (for the correction's record), and the names of the fields that changed."""
    lock_for_write(session)
    subject = session.scalars(
        select(Subject)
        .where(Subject.id == subject.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if subject.sealed_details is None or subject.erased_at is not None:
        raise KeyDestroyed("this customer's data was erased")
    kek = keys.open_key(session, keyring=keyring, key_id=subject.key_id)
    current = _open(kek, subject.id, subject.sealed_details)
    changes = {"name": name, "phone": phone, "email": email}
    changed = [field for field, value in changes.items() if value is not None]
    corrected = SubjectDetails(
        customer_id=current.customer_id,
        name=name if name is not None else current.name,
        phone=phone if phone is not None else current.phone,
        email=email if email is not None else current.email,
    )
    previous = subject.sealed_details
    subject.sealed_details = _seal(kek, subject.id, corrected)
    indexes = _indexes(keyring, corrected)
    subject.phone_index = indexes["phone_index"]
    subject.email_index = indexes["email_index"]
    session.flush()
    return previous, changed


def open_sealed(
    session: Session, *, keyring: MasterKeyring, subject: Subject, sealed: bytes
) -> SubjectDetails:
    """Earlier details kept sealed by a correction."""
    kek = keys.open_key(session, keyring=keyring, key_id=subject.key_id)
    return _open(kek, subject.id, sealed)


def locked_by_index(session: Session, *, customer_id_index: str | None) -> Subject | None:
    """The subject with this customer-id index, re-read and locked (PostgreSQL; on SQLite the
    caller holds the write lock)."""
    return session.scalars(
        select(Subject)
        .where(Subject.customer_id_index == customer_id_index)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def find_or_create(
    session: Session, *, keyring: MasterKeyring, details: SubjectDetails
) -> tuple[Subject, bytes]:
    """The subject with this customer id (created with a fresh key if new) and its plain key.

    Values the stored record lacks are filled in from ``details``; known values are kept.
    Two uploads racing to create the same subject end with one row. The subject's row is
    locked until the caller commits, so an erasure of the same customer runs wholly before
    (this call then starts a new subject) or wholly after (and erases this call too).
    """
    indexes = _indexes(keyring, details)
    lock_for_write(session)
    customer_index = indexes["customer_id_index"]
    for _attempt in range(3):
        existing = locked_by_index(session, customer_id_index=customer_index)
        if existing is not None and existing.erased_at is not None:
            # A customer whose data was erased calls again: the new call starts a new subject.
            # The tombstone gives up its customer-id index, which erasing again would find.
            existing.customer_id_index = None
            session.flush()
            existing = None
        if existing is not None:
            kek = keys.open_key(session, keyring=keyring, key_id=existing.key_id)
            _merge(existing, kek, details, indexes)
            return existing, kek
        try:
            with session.begin_nested():
                key_row, kek = keys.create_key(session, keyring=keyring, purpose="subject")
                subject = Subject(key_id=key_row.id, **indexes)
                session.add(subject)
                session.flush()
                subject.sealed_details = _seal(kek, subject.id, details)
                session.flush()
        except IntegrityError:
            continue
        return subject, kek
    raise VaultError("could not create the subject record; try again")


def _merge(
    subject: Subject, kek: bytes, details: SubjectDetails, indexes: dict[str, str | None]
) -> None:
    if subject.sealed_details is None:
        return
    current = _open(kek, subject.id, subject.sealed_details)
    merged = SubjectDetails(
        customer_id=current.customer_id,
        name=current.name or details.name,
        phone=current.phone or details.phone,
        email=current.email or details.email,
    )
    if merged != current:
        subject.sealed_details = _seal(kek, subject.id, merged)
        subject.phone_index = subject.phone_index or indexes["phone_index"]
        subject.email_index = subject.email_index or indexes["email_index"]


def read_details(session: Session, *, keyring: MasterKeyring, subject: Subject) -> SubjectDetails:
    if subject.sealed_details is None or subject.erased_at is not None:
        raise KeyDestroyed("this customer's data was erased")
    kek = keys.open_key(session, keyring=keyring, key_id=subject.key_id)
    return _open(kek, subject.id, subject.sealed_details)
