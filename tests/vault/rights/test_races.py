"""Erasure against everything else that writes about the same customer, on both databases.

Each test holds an erasure (or a sweep) open at its most delicate point on one thread, starts
the competing write on another, and checks that the two ran one after the other: the second
waited for the first's locks and then saw what the first had done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models.retention import DEFAULT_QUEUE, Basis
from models.rights import Kind
from models.schemas import Status
from models.tables import Recording, RightsRequest, Subject
from tests.vault.rights.calls import CALL_DAY, SUBJECT, add_call, opened, status_of, subject_of
from vault.config import Settings
from vault.db import transaction
from vault.errors import Gone, KeyDestroyed
from vault.rights import correction, erasure, holds, retention
from vault.rights import requests as register
from vault.rights.erasure import Trigger
from vault.runtime import Vault

NOW = datetime.now(UTC)
WAIT = 20.0


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    yield from opened(settings)


class Paused:
    """Runs ``work`` on a thread that stops inside it (where ``pause_at`` is called) until
    released; whatever it raised is kept in ``error``."""

    def __init__(self, work: Callable[[], object]) -> None:
        self.inside = threading.Event()
        self.go_on = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(work,), daemon=True)

    def _run(self, work: Callable[[], object]) -> None:
        try:
            work()
        except BaseException as error:  # reported by the test
            self.error = error

    def pause_at(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def paused(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is self.thread and not self.inside.is_set():
                self.inside.set()
                assert self.go_on.wait(WAIT)
            return real(*args, **kwargs)

        return paused

    def start(self) -> None:
        self.thread.start()
        assert self.inside.wait(WAIT), "the paused work never reached its pause"

    def finish(self) -> None:
        self.go_on.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        if self.error is not None:
            raise self.error


def _in_thread(work: Callable[[], object]) -> tuple[threading.Thread, dict[str, Any]]:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as error:
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def _erase_subject(vault: Vault, subject_id: str) -> None:
    with transaction(vault.factory) as session:
        row = session.get(Subject, subject_id)
        assert row is not None
        erasure.erase_subject(session, subject=row, trigger=Trigger.REQUEST, actor="hukuk", now=NOW)


def test_an_upload_during_an_erasure_waits_and_starts_a_new_subject(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_call(vault)
    subject = subject_of(vault)
    eraser = Paused(lambda: _erase_subject(vault, subject.id))
    monkeypatch.setattr(holds, "blocking", eraser.pause_at(holds.blocking))
    eraser.start()
    upload, result = _in_thread(lambda: add_call(vault))
    upload.join(1.0)
    assert upload.is_alive(), "the upload must wait for the erasure's lock"
    eraser.finish()
    upload.join(WAIT)
    assert "error" not in result
    new_call = result["value"]
    assert status_of(vault, new_call) == Status.READY.value
    with vault.factory() as session:
        recording = session.get(Recording, new_call)
        assert recording is not None
        assert recording.subject_id != subject.id
        fresh = session.get(Subject, recording.subject_id)
        assert fresh is not None
        assert fresh.erased_at is None
        old = session.get(Subject, subject.id)
        assert old is not None
        assert old.erased_at is not None


def test_a_correction_during_an_erasure_is_refused_once_the_erasure_commits(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording_id = add_call(vault)
    subject = subject_of(vault)
    with transaction(vault.factory) as session:
        request_id = register.register(
            session,
            reference="KVKK-R1",
            kind=Kind.CORRECTION,
            received_at=NOW,
            subject=session.get(Subject, subject.id),
            handler=None,
            notes=None,
            actor="hukuk",
            due_days=30,
            now=NOW,
        ).id
    eraser = Paused(lambda: _erase_subject(vault, subject.id))
    monkeypatch.setattr(holds, "blocking", eraser.pause_at(holds.blocking))
    eraser.start()

    def correct() -> object:
        with transaction(vault.factory) as session:
            recording = session.get(Recording, recording_id)
            request = session.get(RightsRequest, request_id)
            assert recording is not None
            assert request is not None
            return correction.correct_transcript(
                session,
                store=vault.store,
                keyring=vault.keyring,
                recording=recording,
                request=request,
                reason="typo",
                actor="hukuk",
                now=NOW,
                edits=[correction.TranscriptEdit(0, "düzeltilmiş metin")],
                segment_size=vault.settings.segment_size,
            )

    corrector, result = _in_thread(correct)
    corrector.join(1.0)
    assert corrector.is_alive(), "the correction must wait for the erasure's lock"
    eraser.finish()
    corrector.join(WAIT)
    assert isinstance(result.get("error"), KeyDestroyed)
    assert status_of(vault, recording_id) == Status.ERASED.value
    erasure.finish(vault.store, vault.factory, recording_ids=[recording_id])
    assert list(vault.store.keys(f"recordings/{recording_id}/")) == []


def test_a_hold_placed_during_an_erasure_is_refused_once_the_erasure_commits(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_call(vault)
    subject = subject_of(vault)
    eraser = Paused(lambda: _erase_subject(vault, subject.id))
    monkeypatch.setattr(holds, "blocking", eraser.pause_at(holds.blocking))
    eraser.start()

    def hold() -> object:
        with transaction(vault.factory) as session:
            row = session.get(Subject, subject.id)
            return holds.place(
                session, subject=row, reference="LAW-1", reason="dava", actor="admin", now=NOW
            )

    admin, result = _in_thread(hold)
    admin.join(1.0)
    assert admin.is_alive(), "placing the hold must wait for the erasure's lock"
    eraser.finish()
    admin.join(WAIT)
    assert isinstance(result.get("error"), Gone)
    with vault.factory() as session:
        assert holds.list_holds(session) == []


def test_a_call_that_arrives_while_the_sweep_runs_keeps_its_customer(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = add_call(vault)
    with transaction(vault.factory) as session:
        retention.set_policy(
            session, queue=DEFAULT_QUEUE, basis=Basis.CALL_DATE, days=30, actor="a", now=CALL_DAY
        )
    now = CALL_DAY + timedelta(days=31)
    arrived: dict[str, str] = {}
    real = erasure.erase_subject_if_empty

    def customer_calls_again(session: Any, **kwargs: Any) -> Any:
        arrived.setdefault("id", add_call(vault, started_at=now))
        return real(session, **kwargs)

    monkeypatch.setattr(erasure, "erase_subject_if_empty", customer_calls_again)
    report = retention.sweep(vault, now=now)
    assert status_of(vault, old) == Status.ERASED.value
    assert status_of(vault, arrived["id"]) == Status.READY.value
    assert report.subjects_erased == 0
    with vault.factory() as session:
        subject = session.scalars(
            select(Subject).join(Recording).where(Recording.id == arrived["id"])
        ).one()
        assert subject.erased_at is None
    assert subject.id == subject_of(vault, SUBJECT).id
