"""Erasing a subject while a worker transcribes one of their calls: whatever the worker was
doing, the call stays erased and nothing it wrote outlives the erasure (no blob row, no object
under the recording's prefix, no search document), and the subject's key stays destroyed.

Three timings: a real `vault worker` process on Redis and PostgreSQL, erased while its status
says ``transcribing``; in process, erased from inside the model's run (both databases); and
erased inside the worker's last transaction, just before it marks the call ready (PostgreSQL,
where the erasure can commit while that transaction is open).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from models.schemas import Segment, Speaker, Status, Transcript
from models.tables import Blob, Key, Recording, SearchDocument, Subject
from tests.api.conftest import Api, api, metadata
from tests.speech import place, speak
from tests.workers.conftest import Cluster
from tests.workers.test_embedded import EN
from tests.workers.test_production import long_call
from vault.auth.roles import Role
from vault.recordings import lifecycle
from vault.transcription import job

__all__ = ["api"]  # the fixture, shared with the API tests

CUSTOMER_ID = metadata()["subject"]["customer_id"]


def erase_subject(api: Api, reference: str) -> dict[str, Any]:
    """Register an erasure request for the customer and erase them, as an officer does."""
    officer = api.headers(Role.RIGHTS_OFFICER, user="hukuk")
    registered = api.client.post(
        "/api/v1/requests",
        headers=officer,
        json={
            "reference": reference,
            "kind": "erasure",
            "received_at": datetime.now(UTC).isoformat(),
            "subject_id": CUSTOMER_ID,
        },
    )
    assert registered.status_code == 201, registered.text
    erased = api.client.request(
        "DELETE",
        f"/api/v1/subjects/{CUSTOMER_ID}",
        headers=officer,
        params={"request_ref": reference},
    )
    assert erased.status_code == 200, erased.text
    body: dict[str, Any] = erased.json()
    return body


def assert_nothing_left(api: Api, rid: str) -> None:
    vault = api.vault
    with vault.factory() as session:
        recording = session.get(Recording, rid)
        assert recording is not None
        assert recording.status == Status.ERASED.value, recording.status_reason
        assert session.scalar(select(func.count()).where(Blob.recording_id == rid)) == 0
        assert session.scalar(select(func.count()).where(SearchDocument.recording_id == rid)) == 0
        assert recording.subject_id is not None
        subject = session.get(Subject, recording.subject_id)
        assert subject is not None
        assert subject.erased_at is not None
        assert subject.sealed_details is None
        key = session.get(Key, subject.key_id)
        assert key is not None
        assert key.wrapped is None
    assert list(vault.store.keys(f"recordings/{rid}/")) == []


def test_a_worker_process_transcribing_an_erased_call_leaves_nothing(cluster: Cluster) -> None:
    cluster.start_worker("w1")
    response = cluster.api.upload(long_call(), metadata("race-long", language="en"))
    assert response.status_code == 201, response.text
    rid = response.json()["id"]
    state = cluster.wait(rid, until={"transcribing", "ready", "failed"}, seconds=120)
    assert state["status"] == "transcribing", state

    tombstone = erase_subject(cluster.api, "KVKK-RACE-1")
    assert tombstone["recording_ids"] == [rid]

    # The worker notices (its lease renewal or its commit fails) and gives the call up: the
    # queue's log says how its task ended.
    deadline = time.monotonic() + 180
    while not _task_ended(cluster.log_text(), rid):
        assert time.monotonic() < deadline, cluster.log_text()[-3000:]
        time.sleep(0.5)
    assert_nothing_left(cluster.api, rid)
    assert cluster.status(rid)["status"] == "erased"


def _task_ended(logs: str, rid: str) -> bool:
    """Whether the worker's log says its transcription task for ``rid`` ended, either way."""
    return any(
        "vault.transcribe[" in line and rid in line and ("succeeded" in line or "raised" in line)
        for line in logs.splitlines()
    )


def _fixed_transcript() -> Transcript:
    text = "Hello, I would like to cancel my subscription."
    return Transcript(
        language="en",
        duration=3.0,
        text=text,
        segments=[Segment(start=0.2, end=2.8, speaker=Speaker.MIXED, text=text, words=[])],
    )


def _upload(api: Api, call_id: str) -> str:
    response = api.upload(place([(0.3, speak(EN, lang="en"))]), metadata(call_id, language="en"))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _run(api: Api, rid: str) -> job.Outcome:
    def no_model() -> Any:
        raise AssertionError("the model is not loaded in this test")

    return job.run(api.vault, recording_id=rid, owner="race-test", model=no_model)


def test_a_call_erased_while_the_model_runs_is_given_up(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = _upload(api, "race-model")

    def transcribe_then_erase(*args: Any, **kwargs: Any) -> Transcript:
        assert (
            api.client.get(
                f"/api/v1/recordings/{rid}", headers=api.headers(Role.QA, user="kalite")
            ).json()["status"]
            == Status.TRANSCRIBING.value
        )
        erase_subject(api, "KVKK-RACE-2")
        return _fixed_transcript()

    monkeypatch.setattr(job, "transcribe", transcribe_then_erase)
    monkeypatch.setattr(job, "_transcribe", _with_model_stub(job._transcribe))

    outcome = _run(api, rid)

    assert outcome in {job.Outcome.SKIPPED, job.Outcome.FAILED}
    assert_nothing_left(api, rid)
    assert _run(api, rid) is job.Outcome.SKIPPED  # a retry finds nothing to do


def _with_model_stub(original: Callable[..., Any]) -> Callable[..., Any]:
    """``job._transcribe`` with a model factory that returns nothing (transcribe is faked)."""

    def call(vault: Any, claim: Any, model: Any, heartbeat: Any) -> Any:
        return original(vault, claim, lambda: None, heartbeat)

    return call


# PostgreSQL only: SQLite has one writer, so no erasure can commit inside the worker's commit.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_call_erased_just_before_the_worker_marks_it_ready_is_given_up(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = _upload(api, "race-commit")
    monkeypatch.setattr(job, "transcribe", lambda *args, **kwargs: _fixed_transcript())
    monkeypatch.setattr(job, "_transcribe", _with_model_stub(job._transcribe))
    complete = lifecycle.complete
    erased: list[dict[str, Any]] = []

    def erase_then_complete(session: Any, **kwargs: Any) -> bool:
        # The worker's transaction has written the redacted variants' rows, uncommitted.
        erased.append(erase_subject(api, "KVKK-RACE-3"))
        return complete(session, **kwargs)

    monkeypatch.setattr(lifecycle, "complete", erase_then_complete)

    outcome = _run(api, rid)

    assert erased
    assert outcome is job.Outcome.SKIPPED
    assert_nothing_left(api, rid)
