"""The request register over HTTP: register, list open and overdue, update, role checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from models.tables import AuditEntry, RightsRequest
from tests.api.conftest import Api, metadata
from tests.audio_factory import make_wav
from vault.auth.roles import Role

OFFICER = Role.RIGHTS_OFFICER


def _create(api: Api, reference: str, days_ago: int, **extra: Any) -> Any:
    body = {
        "reference": reference,
        "kind": "access",
        "received_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(),
        **extra,
    }
    return api.client.post("/api/v1/requests", headers=api.headers(OFFICER, "hukuk"), json=body)


def test_register_list_and_close_requests(api: Api) -> None:
    assert api.upload(make_wav(0.5), metadata("call-1")).status_code == 201
    late = _create(api, "KVKK-LATE", 35, subject_id="CUST-884120", handler="hukuk")
    assert late.status_code == 201, late.text
    assert late.json()["overdue"] is True
    assert late.json()["subject_id"] is not None
    fresh = _create(api, "KVKK-NEW", 2, kind="erasure", notes="aranacak: 0532 418 27 90")
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["notes"] == "aranacak: [PHONE_NUMBER]"
    due = datetime.fromisoformat(fresh.json()["due_at"])
    received = datetime.fromisoformat(fresh.json()["received_at"])
    assert due - received == timedelta(days=30)

    headers = api.headers(OFFICER, "hukuk")
    overdue = api.client.get("/api/v1/requests", headers=headers, params={"overdue": "true"})
    assert [r["reference"] for r in overdue.json()["items"]] == ["KVKK-LATE"]
    open_ = api.client.get("/api/v1/requests", headers=headers, params={"open": "true"})
    assert [r["reference"] for r in open_.json()["items"]] == ["KVKK-LATE", "KVKK-NEW"]

    request_id = late.json()["id"]
    closed = api.client.patch(
        f"/api/v1/requests/{request_id}", headers=headers, json={"status": "completed"}
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_at"] is not None
    assert closed.json()["overdue"] is False
    reopened = api.client.patch(
        f"/api/v1/requests/{request_id}", headers=headers, json={"status": "open"}
    )
    assert reopened.status_code == 409
    one = api.client.get(f"/api/v1/requests/{request_id}", headers=headers)
    assert one.json()["status"] == "completed"
    assert api.client.get("/api/v1/requests/nope", headers=headers).status_code == 404
    overdue = api.client.get("/api/v1/requests", headers=headers, params={"overdue": "true"})
    assert overdue.json()["items"] == []


def test_bad_requests_are_refused_and_audited(api: Api) -> None:
    assert _create(api, "KVKK-1", 1).status_code == 201
    duplicate = _create(api, "KVKK-1", 1)
    assert duplicate.status_code == 409
    unknown_subject = _create(api, "KVKK-2", 1, subject_id="CUST-000")
    assert unknown_subject.status_code == 404
    bad_kind = _create(api, "KVKK-3", 1, kind="complaint")
    assert bad_kind.status_code == 422
    future = _create(api, "KVKK-4", -3)
    assert future.status_code == 422
    with api.vault.factory() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "request.write").order_by(AuditEntry.seq)
        ).all()
        outcomes = [(e.outcome, e.reason) for e in entries]
        assert outcomes == [
            ("allowed", None),
            ("denied", "conflict"),
            ("denied", "not_found"),
            ("denied", "invalid_input"),
            ("denied", "invalid_input"),
        ]
        assert [r.reference for r in session.scalars(select(RightsRequest))] == ["KVKK-1"]


def test_only_rights_officers_use_the_register(api: Api) -> None:
    for role in (Role.QA, Role.AGENT, Role.ADMIN, Role.AUDITOR):
        assert api.client.get("/api/v1/requests", headers=api.headers(role)).status_code == 403
        response = api.client.post(
            "/api/v1/requests",
            headers=api.headers(role),
            json={"reference": "X", "kind": "access", "received_at": "2026-11-01T00:00:00Z"},
        )
        assert response.status_code == 403
