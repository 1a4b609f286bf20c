"""Subjects over HTTP: lookup by blind index, erasure with a request reference, legal hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from models.schemas import Status
from models.tables import AuditEntry, Blob, Key, Recording, Subject
from tests.api.conftest import Api, metadata
from tests.audio_factory import make_wav
from vault.auth.roles import Role
from vault.db import transaction
from vault.rights import holds

OFFICER = Role.RIGHTS_OFFICER
CUSTOMER = metadata()["subject"]


def _register(api: Api, reference: str, kind: str, subject: str | None = None) -> Any:
    body = {
        "reference": reference,
        "kind": kind,
        "received_at": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
    }
    if subject is not None:
        body["subject_id"] = subject
    response = api.client.post("/api/v1/requests", headers=api.headers(OFFICER, "hukuk"), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _upload_two(api: Api) -> list[str]:
    ids = []
    for n in range(2):
        response = api.upload(make_wav(0.5, freq=440.0 + n), metadata(f"call-{n}"))
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    other = metadata(
        "call-other",
        subject={"customer_id": "CUST-100200", "name": "Elif Demir", "phone": "0555 010 20 30"},
    )
    assert api.upload(make_wav(0.5, freq=660.0), other).status_code == 201
    return ids


def _last_audit(api: Api) -> AuditEntry:
    with api.vault.factory() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None
        return entry


def test_lookup_finds_the_subject_by_any_identifier_in_any_spelling(api: Api) -> None:
    _upload_two(api)
    headers = api.headers(OFFICER, "hukuk")
    for body in (
        {"customer_id": "CUST-884120"},
        {"phone": "+90 (532) 418-27-90"},
        {"email": "AHMET.YILMAZ@example.com.tr"},
    ):
        response = api.client.post("/api/v1/subjects/lookup", headers=headers, json=body)
        assert response.status_code == 200, response.text
        found = response.json()
        assert len(found) == 1
        assert found[0]["details"]["name"] == "Ahmet Yılmaz"
        assert found[0]["recordings"] == 2
    nobody = api.client.post("/api/v1/subjects/lookup", headers=headers, json={"phone": "0212"})
    assert nobody.status_code == 200
    assert nobody.json() == []
    empty = api.client.post("/api/v1/subjects/lookup", headers=headers, json={})
    assert empty.status_code == 422
    assert "customer id" in empty.json()["detail"]


def test_lookup_is_for_rights_officers_only(api: Api) -> None:
    _upload_two(api)
    for role in (Role.QA, Role.AGENT, Role.ADMIN, Role.AUDITOR):
        response = api.client.post(
            "/api/v1/subjects/lookup", headers=api.headers(role), json={"customer_id": "x"}
        )
        assert response.status_code == 403
    assert _last_audit(api).reason == "role"


def test_erasure_destroys_everything_and_leaves_a_tombstone(api: Api) -> None:
    ids = _upload_two(api)
    _register(api, "KVKK-2026-0042", "erasure", "CUST-884120")
    response = api.client.request(
        "DELETE",
        "/api/v1/subjects/CUST-884120",
        headers=api.headers(OFFICER, "hukuk"),
        json={"request_ref": "KVKK-2026-0042"},
    )
    assert response.status_code == 200, response.text
    tombstone = response.json()
    assert sorted(tombstone["recording_ids"]) == sorted(ids)
    assert tombstone["request_ref"] == "KVKK-2026-0042"
    assert tombstone["trigger"] == "request"
    assert tombstone["objects_deleted"] == 2
    assert not tombstone["repeated"]
    for value in CUSTOMER.values():
        assert value not in response.text

    with api.vault.factory() as session:
        subject = session.get(Subject, tombstone["subject_id"])
        assert subject is not None
        assert subject.erased_at is not None
        assert subject.sealed_details is None
        assert subject.phone_index is None
        key = session.get(Key, subject.key_id)
        assert key is not None
        assert key.wrapped is None
        assert key.destroyed_at is not None
        statuses = session.scalars(select(Recording.status).where(Recording.id.in_(ids))).all()
        assert set(statuses) == {Status.ERASED.value}
        assert session.scalars(select(Blob).where(Blob.recording_id.in_(ids))).all() == []
    left = list(api.vault.store.keys())
    assert all(not any(i in key for i in ids) for key in left)
    assert len(left) == 1  # the other customer's call

    entry = _last_audit(api)
    assert (entry.action, entry.outcome, entry.resource_id) == (
        "subject.erase",
        "allowed",
        tombstone["subject_id"],
    )
    assert entry.detail == "request_ref=KVKK-2026-0042"

    audio = api.client.get(
        f"/api/v1/recordings/{ids[0]}/audio",
        params={"variant": "original"},
        headers=api.headers(OFFICER, "hukuk", **{"X-Access-Purpose": "dispute:CASE-1"}),
    )
    assert audio.status_code in (409, 410)


def test_erasing_twice_is_harmless(api: Api) -> None:
    _upload_two(api)
    _register(api, "KVKK-7", "erasure", "CUST-884120")
    headers = api.headers(OFFICER, "hukuk")
    first = api.client.delete(
        "/api/v1/subjects/CUST-884120", headers=headers, params={"request_ref": "KVKK-7"}
    )
    again = api.client.delete(
        "/api/v1/subjects/CUST-884120", headers=headers, params={"request_ref": "KVKK-7"}
    )
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["repeated"] is True
    assert _last_audit(api).reason == "already_erased"


def test_a_legal_hold_blocks_erasure_with_a_409_naming_it(api: Api) -> None:
    ids = _upload_two(api)
    _register(api, "KVKK-8", "erasure", "CUST-884120")
    with transaction(api.vault.factory) as session:
        recording = session.get(Recording, ids[1])
        assert recording is not None
        hold = holds.place(
            session,
            recording=recording,
            reference="LAW-2026-11",
            reason="dava dosyası",
            actor="yonetici",
            now=datetime.now(UTC),
        )
        hold_id = hold.id
    before = api.counts()
    response = api.client.delete(
        "/api/v1/subjects/CUST-884120",
        headers=api.headers(OFFICER, "hukuk"),
        params={"request_ref": "KVKK-8"},
    )
    assert response.status_code == 409
    assert hold_id in response.json()["detail"]
    assert "LAW-2026-11" in response.json()["detail"]
    assert api.counts() == before
    entry = _last_audit(api)
    assert (entry.outcome, entry.reason) == ("denied", "legal_hold_active")

    with transaction(api.vault.factory) as session:
        holds.release(session, hold_id=hold_id, actor="yonetici", now=datetime.now(UTC))
    again = api.client.delete(
        "/api/v1/subjects/CUST-884120",
        headers=api.headers(OFFICER, "hukuk"),
        params={"request_ref": "KVKK-8"},
    )
    assert again.status_code == 200, again.text


def test_erasure_needs_a_registered_erasure_request_for_this_subject(api: Api) -> None:
    _upload_two(api)
    headers = api.headers(OFFICER, "hukuk")
    url = "/api/v1/subjects/CUST-884120"
    cases: list[tuple[dict[str, str], int, str]] = [
        ({}, 422, "request_ref_missing"),
        ({"request_ref": "bad ref with spaces"}, 422, "request_ref_invalid"),
        ({"request_ref": "KVKK-404"}, 404, "not_found"),
    ]
    _register(api, "KVKK-ACCESS", "access", "CUST-884120")
    _register(api, "KVKK-OTHER", "erasure", "CUST-100200")
    cases += [
        ({"request_ref": "KVKK-ACCESS"}, 409, "conflict"),
        ({"request_ref": "KVKK-OTHER"}, 409, "conflict"),
    ]
    for params, status, reason in cases:
        response = api.client.delete(url, headers=headers, params=params)
        assert response.status_code == status, (params, response.text)
        entry = _last_audit(api)
        assert (entry.outcome, entry.reason) == ("denied", reason)
    with api.vault.factory() as session:
        assert session.scalars(select(Subject.erased_at)).all() == [None, None]
    unknown = api.client.delete(
        "/api/v1/subjects/CUST-000000", headers=headers, params={"request_ref": "KVKK-ACCESS"}
    )
    assert unknown.status_code == 404


def test_only_rights_officers_erase(api: Api) -> None:
    _upload_two(api)
    for role in (Role.QA, Role.AGENT, Role.ADMIN, Role.AUDITOR, Role.INGEST):
        response = api.client.delete(
            "/api/v1/subjects/CUST-884120", headers=api.headers(role), params={"request_ref": "X"}
        )
        assert response.status_code == 403


def test_a_new_call_after_erasure_starts_a_new_subject(api: Api) -> None:
    _upload_two(api)
    _register(api, "KVKK-9", "erasure", "CUST-884120")
    headers = api.headers(OFFICER, "hukuk")
    erased = api.client.delete(
        "/api/v1/subjects/CUST-884120", headers=headers, params={"request_ref": "KVKK-9"}
    )
    assert erased.status_code == 200
    assert api.upload(make_wav(0.5), metadata("call-new")).status_code == 201
    found = api.client.post(
        "/api/v1/subjects/lookup", headers=headers, json={"customer_id": "CUST-884120"}
    ).json()
    assert len(found) == 1
    assert found[0]["id"] != erased.json()["subject_id"]
    assert found[0]["recordings"] == 1


def test_the_subscription_end_is_recorded_by_admin_or_the_crm(api: Api) -> None:
    _upload_two(api)
    ended = datetime(2026, 1, 31, tzinfo=UTC)
    for role, status in ((Role.ADMIN, 204), (Role.INGEST, 204), (Role.QA, 403)):
        response = api.client.put(
            "/api/v1/subjects/CUST-884120/subscription",
            headers=api.headers(role),
            json={"ended_at": ended.isoformat()},
        )
        assert response.status_code == status, response.text
    with api.vault.factory() as session:
        assert session.scalars(select(Subject.subscription_ended_at)).all().count(ended) == 1
