"""Data subjects on SQLite and PostgreSQL: found by blind index, created once, details sealed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.base import utcnow
from models.tables import Key, Subject
from vault.config import Settings
from vault.db import transaction
from vault.errors import KeyDestroyed, VaultError
from vault.keys import service as key_service
from vault.keys.keyring import FileKeyring, MasterKeyring
from vault.subjects import service as subjects
from vault.subjects.identity import blind_index, normalise_email, normalise_phone
from vault.subjects.service import SubjectDetails

AHMET = SubjectDetails(
    customer_id="CUST-884120",
    name="Ahmet Yılmaz",
    phone="0532 418 27 90",
    email="Ahmet.Yilmaz@Example.com.tr",
)


@pytest.fixture
def ring(tmp_path: Path) -> FileKeyring:
    return FileKeyring(tmp_path / "keys" / "master-keyring.json")


def find_or_create(
    factory: sessionmaker[Session], ring: FileKeyring, details: SubjectDetails
) -> tuple[str, bytes]:
    with transaction(factory) as session:
        subject, kek = subjects.find_or_create(session, keyring=ring, details=details)
        return subject.id, kek


def details_of(
    factory: sessionmaker[Session], ring: FileKeyring, subject_id: str
) -> SubjectDetails:
    with factory() as session:
        row = session.get(Subject, subject_id)
        assert row is not None
        return subjects.read_details(session, keyring=ring, subject=row)


def count(factory: sessionmaker[Session], table: type[Subject] | type[Key]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_created_once(session_factory: sessionmaker[Session], ring: FileKeyring) -> None:
    first, kek = find_or_create(session_factory, ring, AHMET)
    again, same_kek = find_or_create(session_factory, ring, AHMET)
    assert again == first
    assert same_kek == kek
    assert count(session_factory, Subject) == 1
    assert count(session_factory, Key) == 1
    assert details_of(session_factory, ring, first) == AHMET


def test_indexes_are_keyed_and_normalised(
    session_factory: sessionmaker[Session], ring: FileKeyring
) -> None:
    subject_id, _ = find_or_create(session_factory, ring, AHMET)
    key = ring.index_key()
    with session_factory() as session:
        row = session.get(Subject, subject_id)
        assert row is not None
        assert row.customer_id_index == blind_index(key, kind="customer_id", value="CUST-884120")
        assert row.phone_index == blind_index(
            key, kind="phone", value=normalise_phone("+90 532 418 2790")
        )
        assert row.email_index == blind_index(
            key, kind="email", value=normalise_email("ahmet.yilmaz@example.com.tr")
        )


SAME_CUSTOMER = ["CUST-884120", "  CUST-884120 ", "CUST-884120\t"]


@pytest.mark.parametrize("customer_id", SAME_CUSTOMER)
def test_the_customer_id_finds_the_subject(
    session_factory: sessionmaker[Session], ring: FileKeyring, customer_id: str
) -> None:
    subject_id, _ = find_or_create(session_factory, ring, AHMET)
    with session_factory() as session:
        found = subjects.find_by_customer_id(session, keyring=ring, customer_id=customer_id)
        assert found is not None
        assert found.id == subject_id


OTHER_CUSTOMERS = ["cust-884120", "CUST-884121", "CUST-88412", "884120"]


@pytest.mark.parametrize("customer_id", OTHER_CUSTOMERS)
def test_another_customer_id_finds_nothing(
    session_factory: sessionmaker[Session], ring: FileKeyring, customer_id: str
) -> None:
    find_or_create(session_factory, ring, AHMET)
    with session_factory() as session:
        assert subjects.find_by_customer_id(session, keyring=ring, customer_id=customer_id) is None
    other, _ = find_or_create(session_factory, ring, SubjectDetails(customer_id=customer_id))
    assert count(session_factory, Subject) == 2
    assert details_of(session_factory, ring, other).name is None


def test_missing_fields_are_merged_and_known_ones_kept(
    session_factory: sessionmaker[Session], ring: FileKeyring
) -> None:
    subject_id, _ = find_or_create(
        session_factory, ring, SubjectDetails(customer_id="CUST-884120", name="Ahmet Yılmaz")
    )
    with session_factory() as session:
        row = session.get(Subject, subject_id)
        assert row is not None
        assert (row.phone_index, row.email_index) == (None, None)

    later = SubjectDetails(
        customer_id="CUST-884120",
        name="A. Yılmaz",  # known already: kept as first given
        phone="0532 418 27 90",
        email="ahmet.yilmaz@example.com.tr",
    )
    again, _ = find_or_create(session_factory, ring, later)
    assert again == subject_id
    assert details_of(session_factory, ring, subject_id) == SubjectDetails(
        customer_id="CUST-884120",
        name="Ahmet Yılmaz",
        phone="0532 418 27 90",
        email="ahmet.yilmaz@example.com.tr",
    )
    with session_factory() as session:
        row = session.get(Subject, subject_id)
        assert row is not None
        assert row.phone_index is not None
        assert row.email_index is not None
        phone_index = row.phone_index

    # A different phone later on does not overwrite the one on record, nor its index.
    find_or_create(
        session_factory,
        ring,
        SubjectDetails(customer_id="CUST-884120", phone="0555 000 00 00"),
    )
    assert details_of(session_factory, ring, subject_id).phone == "0532 418 27 90"
    with session_factory() as session:
        row = session.get(Subject, subject_id)
        assert row is not None
        assert row.phone_index == phone_index
    assert count(session_factory, Subject) == 1


def _plain_values(details: SubjectDetails) -> list[bytes]:
    values = [details.customer_id, details.name, details.phone, details.email]
    plain = [v for v in values if v]
    plain += [normalise_phone(AHMET.phone or ""), normalise_email(AHMET.email or "")]
    plain += ["Ahmet", "Yılmaz", "Yilmaz", "418 27 90", "4182790", "884120"]
    found: list[bytes] = []
    for value in plain:
        found += [value.encode(), value.encode("utf-16-le"), value.lower().encode()]
    return found


def test_sealed_details_hold_no_plain_values(
    session_factory: sessionmaker[Session], ring: FileKeyring, settings: Settings
) -> None:
    subject_id, _ = find_or_create(session_factory, ring, AHMET)
    with session_factory() as session:
        row = session.get(Subject, subject_id)
        assert row is not None
        stored = b"".join(
            value if isinstance(value, bytes) else str(value).encode()
            for value in (
                row.id,
                row.customer_id_index,
                row.phone_index,
                row.email_index,
                row.key_id,
                row.sealed_details,
            )
        )
        key_row = session.get(Key, row.key_id)
        assert key_row is not None
        assert key_row.wrapped is not None
        stored += key_row.wrapped
    for value in _plain_values(AHMET):
        assert value not in stored
    assert repr(AHMET) == "SubjectDetails(<redacted>)"

    # On SQLite the whole database file (and its write-ahead log) can be scanned too.
    url = settings.resolved_database_url
    if url.startswith("sqlite:///"):
        database = Path(url.removeprefix("sqlite:///"))
        raw = b"".join(
            p.read_bytes()
            for p in (database, database.with_name(database.name + "-wal"))
            if p.exists()
        )
        assert raw
        for value in _plain_values(AHMET):
            assert value not in raw


def test_tampered_details_do_not_open(
    session_factory: sessionmaker[Session], ring: FileKeyring
) -> None:
    subject_id, _ = find_or_create(session_factory, ring, AHMET)
    with transaction(session_factory) as session:
        row = session.get(Subject, subject_id)
        assert row is not None
        assert row.sealed_details is not None
        row.sealed_details = row.sealed_details[:-1] + bytes([row.sealed_details[-1] ^ 1])
    with pytest.raises(VaultError, match="failed authentication") as caught:
        details_of(session_factory, ring, subject_id)
    assert "Ahmet" not in str(caught.value)


def test_an_erased_subject_stays_erased_and_a_new_call_starts_a_new_subject(
    session_factory: sessionmaker[Session], ring: FileKeyring
) -> None:
    subject_id, _ = find_or_create(session_factory, ring, AHMET)
    with transaction(session_factory) as session:
        row = session.get(Subject, subject_id)
        assert row is not None
        row.erased_at = utcnow()
    with pytest.raises(KeyDestroyed):
        details_of(session_factory, ring, subject_id)
    new_id, _ = find_or_create(session_factory, ring, AHMET)
    assert new_id != subject_id
    assert count(session_factory, Subject) == 2
    with pytest.raises(KeyDestroyed):
        details_of(session_factory, ring, subject_id)
    with session_factory() as session:
        old = session.get(Subject, subject_id)
        assert old is not None
        assert old.customer_id_index is None


@pytest.mark.parametrize("round_", range(3))
def test_racing_creates_end_with_one_row(
    session_factory: sessionmaker[Session],
    ring: FileKeyring,
    round_: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL: both uploads look the customer up, find nobody (no row to lock yet), and
    both try to create the subject; the unique index lets one win. SQLite: the second upload
    waits for the first's write lock and finds its subject."""
    details = SubjectDetails(customer_id=f"CUST-RACE-{round_}", name="Zeynep Kaya")
    sqlite = session_factory.kw["bind"].dialect.name == "sqlite"
    both_looked = threading.Barrier(2)
    looked = threading.local()
    find = subjects.locked_by_index
    created: list[str] = []
    create_key = key_service.create_key

    def find_then_wait(session: Session, *, customer_id_index: str | None) -> Subject | None:
        found = find(session, customer_id_index=customer_id_index)
        if not sqlite and not getattr(looked, "once", False):
            looked.once = True
            both_looked.wait(timeout=10)
        return found

    def counting_create_key(
        session: Session, *, keyring: MasterKeyring, purpose: str
    ) -> tuple[Key, bytes]:
        created.append(threading.current_thread().name)
        return create_key(session, keyring=keyring, purpose=purpose)

    monkeypatch.setattr(subjects, "locked_by_index", find_then_wait)
    monkeypatch.setattr(key_service, "create_key", counting_create_key)
    results: list[tuple[str, bytes]] = []
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            results.append(find_or_create(session_factory, ring, details))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=upload, name=f"upload-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(created) == (1 if sqlite else 2), "the uploads did not race as intended"
    assert len(results) == 2
    (first_id, first_kek), (second_id, second_kek) = results
    assert first_id == second_id
    assert first_kek == second_kek
    assert count(session_factory, Subject) == 1
    assert count(session_factory, Key) == 1
    assert details_of(session_factory, ring, first_id) == details
