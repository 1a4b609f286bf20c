"""Retention policies, legal holds and the destruction report over HTTP: who may do what,
one audit entry per request, and the hold that keeps an erasure from happening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx2 import Response
from sqlalchemy import select

from models.retention import Basis
from models.tables import AuditEntry
from tests.api.conftest import Api
from tests.vault.rights.calls import CALL_DAY, SUBJECT, add_call, status_of
from vault.auth.roles import Role
from vault.rights import retention

POLICIES = "/api/v1/retention/policies"
HOLDS = "/api/v1/holds"
REPORT = "/api/v1/retention/report"


def _entries(api: Api) -> list[AuditEntry]:
    with api.vault.factory() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _send(
    api: Api, method: str, url: str, role: Role, **kwargs: Any
) -> tuple[Response, AuditEntry]:
    """The response and the one audit entry the request left."""
    before = len(_entries(api))
    response = api.client.request(method, url, headers=api.headers(role, user=role.value), **kwargs)
    entries = _entries(api)
    assert len(entries) == before + 1, [(e.action, e.outcome) for e in entries[before:]]
    return response, entries[-1]


def test_an_admin_sets_lists_and_removes_policies(api: Api) -> None:
    response, entry = _send(
        api,
        "PUT",
        POLICIES,
        Role.ADMIN,
        json={"queue": "billing", "basis": "call_date", "days": 30},
    )
    assert response.status_code == 200, response.text
    policy = response.json()
    assert (policy["queue"], policy["basis"], policy["days"]) == ("billing", "call_date", 30)
    assert (entry.action, entry.outcome, entry.actor) == ("retention.write", "allowed", "admin")
    assert entry.resource_id == policy["id"]
    assert entry.detail == "basis=call_date days=30"

    response, _ = _send(
        api,
        "PUT",
        POLICIES,
        Role.ADMIN,
        json={"queue": "billing", "basis": "subscription_end", "days": 90},
    )
    assert response.json()["id"] == policy["id"]
    _send(api, "PUT", POLICIES, Role.ADMIN, json={"queue": "*", "basis": "call_date", "days": 365})

    for role in (Role.ADMIN, Role.RIGHTS_OFFICER, Role.AUDITOR):
        response, entry = _send(api, "GET", POLICIES, role)
        assert response.status_code == 200
        assert [(p["queue"], p["days"]) for p in response.json()] == [("*", 365), ("billing", 90)]
        assert (entry.action, entry.outcome) == ("retention.read", "allowed")

    response, entry = _send(api, "DELETE", f"{POLICIES}/billing", Role.ADMIN)
    assert response.status_code == 204
    assert (entry.outcome, entry.resource_id) == ("allowed", policy["id"])
    response, entry = _send(api, "DELETE", f"{POLICIES}/billing", Role.ADMIN)
    assert response.status_code == 404
    assert (entry.outcome, entry.reason) == ("denied", "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"queue": "billing", "basis": "call_date", "days": 0},
        {"queue": "billing", "basis": "forever", "days": 10},
        {"queue": "", "basis": "call_date", "days": 10},
        {"queue": "billing", "basis": "call_date", "days": 10, "extra": 1},
    ],
)
def test_a_malformed_policy_is_refused_and_audited(api: Api, body: dict[str, Any]) -> None:
    response, entry = _send(api, "PUT", POLICIES, Role.ADMIN, json=body)
    assert response.status_code == 422
    assert entry.outcome == "denied"


ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", POLICIES, {}),
    ("PUT", POLICIES, {"json": {"queue": "billing", "basis": "call_date", "days": 30}}),
    ("DELETE", f"{POLICIES}/billing", {}),
    ("GET", REPORT, {"params": {"since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"}}),
    ("POST", HOLDS, {"json": {"subject_id": "CUST-884120", "reference": "C-1", "reason": "x"}}),
    ("GET", HOLDS, {}),
    ("DELETE", f"{HOLDS}/some-hold", {}),
]


@pytest.mark.parametrize(("method", "url", "kwargs"), ROUTES)
@pytest.mark.parametrize("role", [Role.QA, Role.AGENT, Role.INGEST])
def test_other_roles_are_refused_and_audited(
    api: Api, method: str, url: str, kwargs: dict[str, Any], role: Role
) -> None:
    response, entry = _send(api, method, url, role, **kwargs)
    assert response.status_code == 403
    assert (entry.outcome, entry.reason) == ("denied", "role")


@pytest.mark.parametrize(
    ("method", "url", "kwargs"), [r for r in ROUTES if r[0] != "GET" or r[1] == REPORT]
)
@pytest.mark.parametrize("role", [Role.RIGHTS_OFFICER, Role.AUDITOR])
def test_readers_cannot_change_policies_or_holds(
    api: Api, method: str, url: str, kwargs: dict[str, Any], role: Role
) -> None:
    response, entry = _send(api, method, url, role, **kwargs)
    if url == REPORT:
        assert response.status_code == 200
        assert entry.outcome == "allowed"
    else:
        assert response.status_code == 403
        assert (entry.outcome, entry.reason) == ("denied", "role")


def test_anonymous_callers_are_refused_and_audited(api: Api) -> None:
    for method, url, kwargs in ROUTES:
        before = len(_entries(api))
        response = api.client.request(method, url, **kwargs)
        assert response.status_code == 401
        entries = _entries(api)
        assert len(entries) == before + 1
        assert (entries[-1].outcome, entries[-1].reason) == ("denied", "no_token")


def test_a_hold_by_customer_id_keeps_the_subject_from_erasure_until_released(api: Api) -> None:
    rid = add_call(api.vault)
    response, entry = _send(
        api,
        "POST",
        HOLDS,
        Role.ADMIN,
        json={
            "subject_id": SUBJECT.customer_id,
            "reference": "COURT-2026-12",
            "reason": "Ahmet Yılmaz disputes the bill, 0532 418 27 90",
        },
    )
    assert response.status_code == 201, response.text
    hold = response.json()
    assert hold["subject_id"] is not None
    assert hold["recording_id"] is None
    assert "0532 418 27 90" not in hold["reason"]
    assert entry.resource_id == hold["id"]
    assert entry.detail == f"reference=COURT-2026-12 subject={hold['subject_id']}"
    assert SUBJECT.customer_id not in repr(entry.__dict__)

    # An officer with a registered request still cannot erase while the hold stands.
    officer = api.headers(Role.RIGHTS_OFFICER, user="officer")
    registered = api.client.post(
        "/api/v1/requests",
        headers=officer,
        json={
            "reference": "KVKK-77",
            "kind": "erasure",
            "received_at": datetime.now(UTC).isoformat(),
            "subject_id": SUBJECT.customer_id,
        },
    )
    assert registered.status_code == 201, registered.text
    refused = api.client.request(
        "DELETE",
        f"/api/v1/subjects/{SUBJECT.customer_id}",
        headers=officer,
        params={"request_ref": "KVKK-77"},
    )
    assert refused.status_code == 409
    assert hold["id"] in refused.json()["detail"]
    assert status_of(api.vault, rid) == "ready"

    for role in (Role.ADMIN, Role.RIGHTS_OFFICER, Role.AUDITOR):
        response, entry = _send(api, "GET", HOLDS, role)
        assert [h["id"] for h in response.json()] == [hold["id"]]
        assert (entry.action, entry.outcome) == ("hold.read", "allowed")

    response, entry = _send(api, "DELETE", f"{HOLDS}/{hold['id']}", Role.ADMIN)
    assert response.status_code == 200
    assert response.json()["released_by"] == "admin"
    assert (entry.action, entry.outcome, entry.resource_id) == ("hold.write", "allowed", hold["id"])
    response, entry = _send(api, "DELETE", f"{HOLDS}/{hold['id']}", Role.ADMIN)
    assert response.status_code == 409
    assert (entry.outcome, entry.reason) == ("denied", "conflict")
    assert _send(api, "GET", HOLDS, Role.ADMIN)[0].json() == []
    listed = _send(api, "GET", HOLDS, Role.ADMIN, params={"active": "false"})[0].json()
    assert [h["id"] for h in listed] == [hold["id"]]

    erased = api.client.request(
        "DELETE",
        f"/api/v1/subjects/{SUBJECT.customer_id}",
        headers=officer,
        params={"request_ref": "KVKK-77"},
    )
    assert erased.status_code == 200, erased.text
    assert status_of(api.vault, rid) == "erased"

    # Nothing left to hold, and an unknown target is not found: both refused and audited.
    gone, entry = _send(
        api,
        "POST",
        HOLDS,
        Role.ADMIN,
        json={"recording_id": rid, "reference": "C-2", "reason": "x"},
    )
    assert gone.status_code == 410
    assert entry.outcome == "denied"
    missing, entry = _send(
        api,
        "POST",
        HOLDS,
        Role.ADMIN,
        json={"subject_id": "CUST-0", "reference": "C-3", "reason": "x"},
    )
    assert missing.status_code == 404
    assert (entry.outcome, entry.reason) == ("denied", "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"reference": "C-1", "reason": "x"},
        {"subject_id": "a", "recording_id": "b", "reference": "C-1", "reason": "x"},
        {"recording_id": "b", "reference": "has space", "reason": "x"},
    ],
)
def test_a_malformed_hold_is_refused_and_audited(api: Api, body: dict[str, Any]) -> None:
    response, entry = _send(api, "POST", HOLDS, Role.ADMIN, json=body)
    assert response.status_code == 422
    assert entry.outcome == "denied"


def test_the_destruction_report_lists_a_periods_erasures(api: Api) -> None:
    rid = add_call(api.vault)
    with api.vault.factory.begin() as session:
        retention.set_policy(
            session,
            queue="*",
            basis=Basis.CALL_DATE,
            days=30,
            actor="admin",
            now=CALL_DAY,
        )
    swept = CALL_DAY + timedelta(days=31)
    retention.sweep(api.vault, now=swept)
    params = {
        "since": (swept - timedelta(days=1)).isoformat(),
        "until": (swept + timedelta(days=1)).isoformat(),
    }
    response, entry = _send(api, "GET", REPORT, Role.AUDITOR, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["erasures"] == 2
    assert body["by_trigger"] == {"retention": 2}
    assert body["by_scope"] == {"recording": 1, "subject": 1}
    assert body["recordings_destroyed"] == 1
    assert body["held_back"] == 0
    assert rid in body["tombstones"][0]["recording_ids"]
    for value in ("Ahmet", SUBJECT.customer_id, "0532"):
        assert value not in response.text
    assert (entry.action, entry.outcome) == ("retention.report", "allowed")
    assert entry.detail is not None
    assert entry.detail.startswith("since=")

    # Without a period: the last 30 days, up to now.
    response, entry = _send(api, "GET", REPORT, Role.ADMIN)
    assert response.status_code == 200
    recent = response.json()
    assert recent["erasures"] == 0  # the sweep's clock was set in 2024
    since = datetime.fromisoformat(recent["since"])
    assert datetime.fromisoformat(recent["until"]) - since == timedelta(days=30)

    for bad in (
        {"since": params["until"], "until": params["since"]},
        {"since": "2026-01-01T00:00:00", "until": "2026-02-01T00:00:00"},
        {"since": "yesterday", "until": params["until"]},
    ):
        response, entry = _send(api, "GET", REPORT, Role.AUDITOR, params=bad)
        assert response.status_code == 422, bad
        assert entry.outcome == "denied"
