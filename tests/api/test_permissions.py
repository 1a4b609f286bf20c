"""Every ``/api/v1`` route, called by every kind of caller, against DESIGN.md's role table.

The table below is the test: one row per request, one column per role. A route that the
table does not cover fails ``test_the_table_covers_every_route``, so a new route cannot go
unchecked. Every request must leave exactly one audit entry saying who, what, and how it
ended; and no response to a caller without subject rights may carry the customer's details.

The calls share one vault per database (built once per module: hundreds of requests would
otherwise pay for hundreds of fresh vaults); each test only adds audit entries and, for
uploads, a recording under a fresh call id, so the tests do not depend on their order.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import create_engine, func, select, text

from api.app import create_app
from models.schemas import RedactedTranscript, Status, Transcript
from models.tables import AuditEntry, Recording
from tests.api.conftest import metadata
from tests.audio_factory import make_wav
from tests.conftest import PG_ADMIN_URL
from vault.auth import tokens
from vault.auth.roles import Role
from vault.config import Settings, get_settings
from vault.db import transaction
from vault.keys import service as keys
from vault.recordings import blobs
from vault.runtime import Vault, open_vault

PURPOSE = "dispute:CASE-1"
OWNER, OTHER_AGENT = "ayse", "mehmet"

# The customer of the world's recordings, and every form their details could take.
SUBJECT = metadata()["subject"]
PII = ["Ahmet", "Yılmaz", "0532 418 27 90", "5324182790", "ahmet.yilmaz@example.com.tr"]
PII += [SUBJECT["customer_id"]]

# Uploads made by the tests themselves are about someone else, so that an agent's own new
# calls never put the world's customer into that agent's listings.
OTHER_SUBJECT = {
    "customer_id": "CUST-100200",
    "name": "Elif Demir",
    "phone": "+90 555 010 20 30",
    "email": "elif.demir@example.org",
}


# The world: two of the owner's calls, one just stored, one ready with a redacted rendition.


@dataclass
class World:
    vault: Vault
    app: FastAPI
    client: TestClient
    original: bytes
    redacted: bytes
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.vault.settings

    def audit_count(self) -> int:
        with self.vault.factory() as session:
            return session.scalar(select(func.count()).select_from(AuditEntry)) or 0

    def audit_after(self, seq: int) -> list[AuditEntry]:
        with self.vault.factory() as session:
            query = select(AuditEntry).where(AuditEntry.seq > seq).order_by(AuditEntry.seq)
            return list(session.scalars(query))

    def recordings(self, *, agent_id: str | None) -> int:
        query = select(func.count()).select_from(Recording)
        if agent_id is not None:
            query = query.where(Recording.agent_id == agent_id)
        with self.vault.factory() as session:
            return session.scalar(query) or 0

    def last_seq(self) -> int:
        with self.vault.factory() as session:
            return session.scalar(select(func.max(AuditEntry.seq))) or 0


def _upload(
    client: TestClient, headers: dict[str, str], meta: dict[str, Any], audio: bytes
) -> Response:
    parts: list[tuple[str, tuple[str | None, bytes | str, str]]] = [
        ("metadata", (None, json.dumps(meta), "application/json")),
        ("file", ("call.wav", audio, "application/octet-stream")),
    ]
    return client.post("/api/v1/recordings", headers=headers, files=parts)


def _add_redacted(vault: Vault, recording_id: str, audio: bytes) -> None:
    """What the redaction worker will do: store the redacted rendition, mark the call ready."""
    with transaction(vault.factory) as session:
        recording = session.get(Recording, recording_id)
        assert recording is not None
        kek = keys.open_key(session, keyring=vault.keyring, key_id=recording.key_id)
        sealed = blobs.write(
            vault.store,
            recording_id=recording_id,
            variant="redacted",
            chunks=[audio],
            segment_size=vault.settings.segment_size,
        )
        blobs.record(
            session, sealed=sealed, key_id=recording.key_id, kek=kek, content_type="audio/wav"
        )
        raw = Transcript(language="tr", duration=0.5, text="", segments=[])
        redacted = RedactedTranscript(
            language="tr", duration=0.5, text="", segments=[], entities=[]
        )
        for variant, body in (("transcript-raw", raw), ("transcript-redacted", redacted)):
            sealed = blobs.write(
                vault.store,
                recording_id=recording_id,
                variant=variant,
                chunks=[body.model_dump_json().encode()],
                segment_size=vault.settings.segment_size,
            )
            blobs.record(
                session,
                sealed=sealed,
                key_id=recording.key_id,
                kek=kek,
                content_type="application/json",
            )
        recording.status = Status.READY.value


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    home = tmp_path_factory.mktemp("permissions")
    admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'vault.db'}"
    else:
        # A database of its own: the shared test database is truncated after every test.
        name = f"vault_perm_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with pytest.MonkeyPatch.context() as env:
        for variable in list(os.environ):
            if variable.startswith("VAULT_"):
                env.delenv(variable)
        env.setenv("VAULT_DATA_DIR", str(home / "data"))
        env.setenv("VAULT_DATABASE_URL", url)
        get_settings.cache_clear()
        settings = Settings()
        vault = open_vault(settings)
        try:
            app = create_app(vault=vault)
            with TestClient(app) as client:
                original, redacted = make_wav(0.5), make_wav(0.5, freq=880.0)
                world = World(vault, app, client, original, redacted)
                owner = {"Authorization": f"Bearer {_token(settings, OWNER, Role.AGENT)}"}
                for which in ("stored", "ready"):
                    meta = metadata(f"perm-{which}")
                    response = _upload(client, owner, meta, original)
                    assert response.status_code == 201, response.text
                    world.ids[which] = response.json()["id"]
                world.ids["unknown"] = str(uuid.uuid4())
                with vault.factory() as session:
                    stored = session.get(Recording, world.ids["stored"])
                    assert stored is not None
                    assert stored.subject_id is not None
                    world.ids["subject"] = stored.subject_id
                _add_redacted(vault, world.ids["ready"], redacted)
                yield world
        finally:
            vault.close()
            get_settings.cache_clear()
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


# Callers.


def _token(settings: Settings, user: str, role: Role) -> str:
    return tokens.issue(settings, user=user, role=role)


def _signed(settings: Settings, secret: bytes, **changes: Any) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": "ghost",
        settings.jwt_roles_claim: ["qa"],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(changes)
    return jwt.encode(claims, secret, algorithm="HS256")


@dataclass(frozen=True)
class Caller:
    name: str
    authorization: Callable[[Settings], str | None]
    actor: str = "anonymous"
    role: Role | None = None
    # How an unauthorised caller is refused: 401 with this reason, or 403 ("role").
    refused: tuple[int, str] | None = None

    def headers(self, settings: Settings) -> dict[str, str]:
        value = self.authorization(settings)
        return {} if value is None else {"Authorization": value}


def _role(name: str, user: str, role: Role) -> Caller:
    return Caller(name, lambda s: f"Bearer {_token(s, user, role)}", actor=user, role=role)


_PAST = datetime.now(UTC) - timedelta(hours=1)
_FOREIGN_SECRET = b"a secret from another deployment, long enough for HS256 0123456789abcdef"

ROLE_CALLERS = [
    _role("agent-owner", OWNER, Role.AGENT),
    _role("agent-other", OTHER_AGENT, Role.AGENT),
    _role("qa", "kalite", Role.QA),
    _role("rights_officer", "hukuk", Role.RIGHTS_OFFICER),
    _role("admin", "yonetici", Role.ADMIN),
    _role("auditor", "denetci", Role.AUDITOR),
    _role("ingest", "santral", Role.INGEST),
]
BAD_CALLERS = [
    Caller("no-token", lambda s: None, refused=(401, "no_token")),
    Caller("basic-auth", lambda s: "Basic YXlzZTpzZWNyZXQ=", refused=(401, "no_token")),
    Caller("empty-bearer", lambda s: "Bearer ", refused=(401, "no_token")),
    Caller("malformed", lambda s: "Bearer not.a-jwt", refused=(401, "invalid_token")),
    Caller(
        "expired",
        lambda s: "Bearer " + _signed(s, tokens.signing_secret(s), iat=_PAST, exp=_PAST),
        refused=(401, "invalid_token"),
    ),
    Caller(
        "other-secret",
        lambda s: "Bearer " + _signed(s, _FOREIGN_SECRET),
        refused=(401, "invalid_token"),
    ),
    Caller(
        "unknown-role",
        lambda s: "Bearer " + _signed(s, tokens.signing_secret(s), roles=["superuser"]),
        actor="ghost",
        refused=(403, "role"),
    ),
]
CALLERS = ROLE_CALLERS + BAD_CALLERS
# Who may see the world's customer: the agent whose calls they are, and rights officers.
SEES_SUBJECT = {"agent-owner", "rights_officer"}


# Requests.

RECORDINGS = "/api/v1/recordings"
ONE = "/api/v1/recordings/{recording_id}"
AUDIO = "/api/v1/recordings/{recording_id}/audio"
TRANSCRIPT = "/api/v1/recordings/{recording_id}/transcript"
SUBJECTS = "/api/v1/subjects"
SUBJECT_ONE = "/api/v1/subjects/{subject_id}"
POLICIES = "/api/v1/retention/policies"
HOLDS = "/api/v1/holds"
UNSET = object()


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    route: str
    action: str
    target: str | None = None  # which of the world's recordings (or its subject, or unknown)
    variant: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    agent_id: object = UNSET  # uploads: the metadata's agent_id (UNSET: left out)
    json: Any = None  # a JSON body (rights routes)
    resource_type: str | None = None  # default: recording or audit, by the action
    # Rights routes name their resource once it is found: refused callers leave it empty.
    resource_once_found: bool = False

    def path(self, world: World) -> str:
        if self.target is None:
            return self.route
        value = world.ids[self.target]
        return self.route.format(
            recording_id=value,
            subject_id=value,
            request_id=value,
            export_id=value,
            hold_id=value,
            queue="perm-queue-unknown",
        )

    def expected_type(self) -> str:
        if self.resource_type is not None:
            return self.resource_type
        return "recording" if self.action.startswith("recording") else "audit"

    def params(self) -> dict[str, str]:
        return {"variant": self.variant} if self.variant else {}


_P = {"X-Access-Purpose": PURPOSE}
CALLS = [
    Call("upload", "POST", RECORDINGS, "recording.upload"),
    Call("upload-for-owner", "POST", RECORDINGS, "recording.upload", agent_id=OWNER),
    Call("list", "GET", RECORDINGS, "recording.list"),
    Call("stats", "GET", "/api/v1/recordings/stats", "recording.stats"),
    Call("metadata", "GET", ONE, "recording.read", "stored"),
    Call("metadata-unknown-id", "GET", ONE, "recording.read", "unknown"),
    Call("redacted-not-ready", "GET", AUDIO, "recording.audio.redacted", "stored", "redacted"),
    Call("redacted-ready", "GET", AUDIO, "recording.audio.redacted", "ready", "redacted"),
    Call("original-no-purpose", "GET", AUDIO, "recording.audio.original", "stored", "original"),
    Call(
        "original-bad-purpose",
        "GET",
        AUDIO,
        "recording.audio.original",
        "stored",
        "original",
        headers={"X-Access-Purpose": "curiosity"},
    ),
    Call("original", "GET", AUDIO, "recording.audio.original", "stored", "original", _P),
    Call(
        "original-range",
        "GET",
        AUDIO,
        "recording.audio.original",
        "stored",
        "original",
        {**_P, "Range": "bytes=0-99"},
    ),
    Call("head-original", "HEAD", AUDIO, "recording.audio.original", "stored", "original", _P),
    Call(
        "head-redacted-not-ready", "HEAD", AUDIO, "recording.audio.redacted", "stored", "redacted"
    ),
    Call("raw-no-purpose", "GET", TRANSCRIPT, "recording.transcript.raw", "ready", "raw"),
    Call("raw", "GET", TRANSCRIPT, "recording.transcript.raw", "ready", "raw", _P),
    Call("raw-not-ready", "GET", TRANSCRIPT, "recording.transcript.raw", "stored", "raw", _P),
    Call(
        "text-not-ready", "GET", TRANSCRIPT, "recording.transcript.redacted", "stored", "redacted"
    ),
    Call("text-ready", "GET", TRANSCRIPT, "recording.transcript.redacted", "ready", "redacted"),
    Call("search", "GET", "/api/v1/search", "recording.search"),
    Call("audit", "GET", "/api/v1/audit", "audit.read"),
    Call("audit-verify", "GET", "/api/v1/audit/verify", "audit.verify"),
    # Rights requests. Allowed callers get harmless answers (lists, refusals of unknown or
    # malformed things), so that the world stays as it is for the other rows.
    Call(
        "subject-lookup",
        "POST",
        SUBJECTS + "/lookup",
        "subject.lookup",
        "subject",
        json={"customer_id": SUBJECT["customer_id"]},
        resource_type="subject",
        resource_once_found=True,
    ),
    Call(
        "erase-unknown",
        "DELETE",
        SUBJECT_ONE,
        "subject.erase",
        "unknown",
        json={"request_ref": "PERM-1"},
        resource_type="subject",
    ),
    Call(
        "erase-no-reference",
        "DELETE",
        SUBJECT_ONE,
        "subject.erase",
        "subject",
        resource_type="subject",
        resource_once_found=True,
    ),
    Call(
        "subscription",
        "PUT",
        SUBJECT_ONE + "/subscription",
        "subject.subscription",
        "subject",
        json={"ended_at": None},
        resource_type="subject",
        resource_once_found=True,
    ),
    Call(
        "corrections",
        "GET",
        SUBJECT_ONE + "/corrections",
        "subject.correct",
        "subject",
        resource_type="subject",
        resource_once_found=True,
    ),
    Call(
        "correct-subject-no-request",
        "POST",
        SUBJECT_ONE + "/corrections",
        "subject.correct",
        "subject",
        json={"request_ref": "PERM-NONE", "reason": "r", "name": "N"},
        resource_type="subject",
        resource_once_found=True,
    ),
    Call(
        "correct-recording-no-request",
        "POST",
        ONE + "/corrections",
        "recording.correct",
        "stored",
        json={"request_ref": "PERM-NONE", "reason": "r", "metadata": {"queue": "q"}},
    ),
    Call("requests", "GET", "/api/v1/requests", "request.read", resource_type="rights_request"),
    Call(
        "request-malformed",
        "POST",
        "/api/v1/requests",
        "request.write",
        json={"reference": "has spaces", "kind": "access"},
        resource_type="rights_request",
    ),
    Call(
        "request-unknown",
        "GET",
        "/api/v1/requests/{request_id}",
        "request.read",
        "unknown",
        resource_type="rights_request",
        resource_once_found=True,
    ),
    Call(
        "request-update-unknown",
        "PATCH",
        "/api/v1/requests/{request_id}",
        "request.write",
        "unknown",
        json={"status": "open"},
        resource_type="rights_request",
        resource_once_found=True,
    ),
    Call(
        "export-unknown-subject",
        "POST",
        SUBJECT_ONE + "/exports",
        "subject.export",
        "unknown",
        headers=_P,
        json={"request_ref": "PERM-1"},
        resource_type="subject",
    ),
    Call(
        "export-unknown",
        "GET",
        "/api/v1/exports/{export_id}",
        "export.read",
        "unknown",
        resource_type="export",
        resource_once_found=True,
    ),
    Call(
        "export-download-unknown",
        "GET",
        "/api/v1/exports/{export_id}/download",
        "export.download",
        "unknown",
        headers=_P,
        resource_type="export",
        resource_once_found=True,
    ),
    Call("policies", "GET", POLICIES, "retention.read", resource_type="retention"),
    Call(
        "policy-malformed",
        "PUT",
        POLICIES,
        "retention.write",
        json={"queue": "q", "basis": "forever", "days": 1},
        resource_type="retention",
    ),
    Call(
        "policy-delete-unknown",
        "DELETE",
        POLICIES + "/{queue}",
        "retention.write",
        "unknown",
        resource_type="retention",
        resource_once_found=True,
    ),
    Call(
        "report", "GET", "/api/v1/retention/report", "retention.report", resource_type="retention"
    ),
    Call("holds", "GET", HOLDS, "hold.read", resource_type="hold"),
    Call("hold-malformed", "POST", HOLDS, "hold.write", json={}, resource_type="hold"),
    Call(
        "hold-release-unknown",
        "DELETE",
        HOLDS + "/{hold_id}",
        "hold.write",
        "unknown",
        resource_type="hold",
        resource_once_found=True,
    ),
]

# DESIGN.md's role table, request by request. A cell is the status, and for a refusal the
# audit reason when it is not the default ("role" for 403, "not_found" for 404).
ROLE_COLUMNS = [c.name for c in ROLE_CALLERS]
NO = "403"  # refused for the role ("role")
NOT_OWNER = "403 not_owner"  # an agent reaching for another agent's call
MISSING, INVALID = "400 purpose_missing", "400 purpose_invalid"
NO_AGENT = "422 invalid_input"  # a service upload must name the agent
BAD = "422 invalid_input"  # a body that does not validate, refused once the caller is known
REF = "422 request_ref_missing"  # an erasure must name the request it answers
# fmt: off
EXPECTED: dict[str, tuple[str, ...]] = {
    #                          owner    other            qa     rights   admin auditor ingest
    "upload":                  ("201",  "201",           NO,    NO,      NO,   NO,     NO_AGENT),
    "upload-for-owner":        ("201",  NOT_OWNER,       NO,    NO,      NO,   NO,     "201"),
    "list":                    ("200",  "200",           "200", "200",   NO,   NO,     NO),
    "stats":                   ("200",  "200",           "200", "200",   "200", NO,    NO),
    "metadata":                ("200",  NOT_OWNER,       "200", "200",   NO,   NO,     NO),
    "metadata-unknown-id":     ("404",  "404",           "404", "404",   NO,   NO,     NO),
    "redacted-not-ready":      ("409",  NOT_OWNER,       "409", "409",   NO,   NO,     NO),
    "redacted-ready":          ("200",  NOT_OWNER,       "200", "200",   NO,   NO,     NO),
    "original-no-purpose":     (MISSING, NOT_OWNER,      NO,    MISSING, NO,   NO,     NO),
    "original-bad-purpose":    (INVALID, NOT_OWNER,      NO,    INVALID, NO,   NO,     NO),
    "original":                ("200",  NOT_OWNER,       NO,    "200",   NO,   NO,     NO),
    "original-range":          ("206",  NOT_OWNER,       NO,    "206",   NO,   NO,     NO),
    "head-original":           ("200",  NOT_OWNER,       NO,    "200",   NO,   NO,     NO),
    "head-redacted-not-ready": ("409",  NOT_OWNER,       "409", "409",   NO,   NO,     NO),
    "raw-no-purpose":          (MISSING, NOT_OWNER,      NO,    MISSING, NO,   NO,     NO),
    "raw":                     ("200",  NOT_OWNER,       NO,    "200",   NO,   NO,     NO),
    "raw-not-ready":           ("409",  NOT_OWNER,       NO,    "409",   NO,   NO,     NO),
    "text-not-ready":          ("409",  NOT_OWNER,       "409", "409",   NO,   NO,     NO),
    "text-ready":              ("200",  NOT_OWNER,       "200", "200",   NO,   NO,     NO),
    "search":                  ("200",  "200",           "200", "200",   NO,   NO,     NO),
    "audit":                   (NO,     NO,              NO,    NO,      NO,   "200",  NO),
    "audit-verify":            (NO,     NO,              NO,    NO,      NO,   "200",  NO),
    "subject-lookup":          (NO,     NO,              NO,    "200",   NO,   NO,     NO),
    "erase-unknown":           (NO,     NO,              NO,    "404",   NO,   NO,     NO),
    "erase-no-reference":      (NO,     NO,              NO,    REF,     NO,   NO,     NO),
    "subscription":            (NO,     NO,              NO,    NO,      "204", NO,    "204"),
    "corrections":             (NO,     NO,              NO,    "200",   NO,   NO,     NO),
    "correct-subject-no-request": (NO,  NO,              NO,    "404",   NO,   NO,     NO),
    "correct-recording-no-request": (NO, NO,             NO,    "404",   NO,   NO,     NO),
    "requests":                (NO,     NO,              NO,    "200",   NO,   NO,     NO),
    "request-malformed":       (NO,     NO,              NO,    BAD,     NO,   NO,     NO),
    "request-unknown":         (NO,     NO,              NO,    "404",   NO,   NO,     NO),
    "request-update-unknown":  (NO,     NO,              NO,    "404",   NO,   NO,     NO),
    "export-unknown-subject":  (NO,     NO,              NO,    "404",   NO,   NO,     NO),
    "export-unknown":          (NO,     NO,              NO,    "404",   NO,   NO,     NO),
    "export-download-unknown": (NO,     NO,              NO,    "404",   NO,   NO,     NO),
    "policies":                (NO,     NO,              NO,    "200",   "200", "200", NO),
    "policy-malformed":        (NO,     NO,              NO,    NO,      BAD,  NO,     NO),
    "policy-delete-unknown":   (NO,     NO,              NO,    NO,      "404", NO,    NO),
    "report":                  (NO,     NO,              NO,    "200",   "200", "200", NO),
    "holds":                   (NO,     NO,              NO,    "200",   "200", "200", NO),
    "hold-malformed":          (NO,     NO,              NO,    NO,      BAD,  NO,     NO),
    "hold-release-unknown":    (NO,     NO,              NO,    NO,      "404", NO,    NO),
}
# fmt: on

DEFAULT_REASON = {401: "invalid_token", 403: "role", 404: "not_found"}


@dataclass(frozen=True)
class Expected:
    status: int
    outcome: str
    reason: str | None


def expected(caller: Caller, call: Call) -> Expected:
    if caller.refused is not None:
        status, reason = caller.refused
        return Expected(status, "denied", reason)
    cell = EXPECTED[call.name][ROLE_COLUMNS.index(caller.name)]
    code, _, reason = cell.partition(" ")
    status = int(code)
    if status < 400 or status == 409:
        # 409: the gate allowed the access; the variant simply does not exist yet.
        return Expected(status, "allowed", None)
    if status == 422:
        # A service upload without its agent is an error of the uploader; any other
        # malformed request is refused.
        return Expected(status, "error" if call.name == "upload" else "denied", reason)
    return Expected(status, "denied", reason or DEFAULT_REASON[status])


CASES = [(caller, call) for call in CALLS for caller in CALLERS]


def test_the_table_is_complete_and_mostly_refusals() -> None:
    assert set(EXPECTED) == {c.name for c in CALLS}
    assert all(len(row) == len(ROLE_COLUMNS) for row in EXPECTED.values())
    outcomes = [expected(caller, call).outcome for caller, call in CASES]
    assert outcomes.count("denied") + outcomes.count("error") > outcomes.count("allowed")


def _v1_routes(world: World) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(world.app.routes):
        path = route.path_format or ""
        for method in route.methods or ():
            found.add((method, path))
    return found


def test_the_table_covers_every_route(world: World) -> None:
    routes = _v1_routes(world)
    v1 = {(m, p) for m, p in routes if p.startswith("/api/v1/") or p == "/api/v1"}
    covered = {(c.method, c.route) for c in CALLS}
    assert v1, "no /api/v1 routes found: the route walk is broken"
    assert v1 - covered == set(), "routes without a row in the permission table"
    assert covered - v1 == set(), "rows for routes that do not exist"


# Public routes, and why: the orchestrator's probes, the scraper, and FastAPI's API docs.
PUBLIC = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect"}
PUBLIC |= {"/redoc"}


def test_nothing_outside_api_v1_but_the_listed_public_routes(world: World) -> None:
    outside = {p for _, p in _v1_routes(world) if not p.startswith("/api/v1")}
    assert outside <= PUBLIC


def _send(world: World, caller: Caller, call: Call) -> Response:
    headers = {**caller.headers(world.settings), **call.headers}
    if call.json is not None or call.resource_type is not None:
        return world.client.request(
            call.method, call.path(world), params=call.params(), headers=headers, json=call.json
        )
    if call.method == "POST":
        meta = metadata(f"perm-{uuid.uuid4().hex}", subject=OTHER_SUBJECT)
        if call.agent_id is not UNSET:
            meta["agent_id"] = call.agent_id
        return _upload(world.client, headers, meta, make_wav(0.5))
    return world.client.request(
        call.method, call.path(world), params=call.params(), headers=headers
    )


def _leaks(body: bytes, values: list[str]) -> list[str]:
    return [v for v in values if v.encode() in body or json.dumps(v)[1:-1].encode() in body]


@pytest.mark.parametrize(
    ("caller", "call"), CASES, ids=[f"{call.name}-{caller.name}" for caller, call in CASES]
)
def test_access(world: World, caller: Caller, call: Call) -> None:
    want = expected(caller, call)
    before, seq = world.audit_count(), world.last_seq()

    response = _send(world, caller, call)

    assert response.status_code == want.status, response.text
    if want.status == 401:
        assert response.headers["www-authenticate"] == "Bearer"

    # Exactly one audit entry, saying who, what, and how it ended.
    assert world.audit_count() == before + 1
    (entry,) = world.audit_after(seq)
    assert entry.actor == caller.actor
    assert entry.role == (caller.role.value if caller.role else None)
    assert entry.action == call.action
    assert entry.resource_type == call.expected_type()
    assert (entry.outcome, entry.reason) == (want.outcome, want.reason)
    assert entry.variant == call.variant
    if call.name.startswith("upload"):
        created = response.json()["id"] if want.status == 201 else None
        assert entry.resource_id == created
    elif call.resource_once_found and (want.status in (401, 403) or call.target == "unknown"):
        assert entry.resource_id in (None, world.ids.get(call.target or ""))
    elif call.resource_type is not None and call.target in (None, "unknown"):
        assert entry.resource_id is None
    else:
        assert entry.resource_id == (world.ids[call.target] if call.target else None)
    # Variants that take a purpose (DESIGN.md: originals, raw transcripts) record it once allowed.
    with_purpose = call.variant in {"original", "raw"} and want.outcome == "allowed"
    assert entry.purpose == (PURPOSE if with_purpose else None)

    # The customer's details reach only the callers entitled to them; never the audit log.
    body = response.content
    if caller.name not in SEES_SUBJECT:
        assert _leaks(body, PII) == []
    sees_upload = caller.role is Role.AGENT
    if call.name.startswith("upload") and not sees_upload:
        assert _leaks(body, list(OTHER_SUBJECT.values())) == []
    for column in (entry.actor, entry.resource_id, entry.reason, entry.purpose, entry.detail):
        assert _leaks((column or "").encode(), PII) == []

    if want.status < 300:
        _check_body(world, caller, call, response)


def _check_body(world: World, caller: Caller, call: Call, response: Response) -> None:
    """What an allowed caller gets: only what the table grants."""
    if call.name == "list":
        agents = {item["agent_id"] for item in response.json()["items"]}
        if caller.role is Role.AGENT:
            assert agents <= {caller.actor}
        ids = {item["id"] for item in response.json()["items"]}
        sees_world = caller.name != "agent-other"
        assert (world.ids["stored"] in ids) is sees_world
        for item in response.json()["items"]:
            if item["id"] == world.ids["stored"]:
                _check_subject(caller, item)
    elif call.name == "metadata":
        _check_subject(caller, response.json())
    elif call.name == "stats":
        body = response.json()
        assert set(body) == {"total", "by_status"}
        scope = caller.actor if caller.role is Role.AGENT else None
        assert body["total"] == world.recordings(agent_id=scope)
    elif call.name == "original":
        assert response.content == world.original
        assert response.headers["content-type"] == "audio/wav"
    elif call.name == "original-range":
        assert response.content == world.original[:100]
        assert response.headers["content-range"] == f"bytes 0-99/{len(world.original)}"
    elif call.name == "head-original":
        assert response.content == b""
        assert response.headers["content-length"] == str(len(world.original))
    elif call.name == "redacted-ready":
        assert response.content == world.redacted
    elif call.name == "audit-verify":
        assert response.json()["ok"] is True
    elif call.name == "audit":
        assert response.json()["items"]
    elif call.name == "subject-lookup":
        (found,) = response.json()
        assert found["id"] == world.ids["subject"]
        assert found["details"]["name"] == SUBJECT["name"]


def _check_subject(caller: Caller, item: dict[str, Any]) -> None:
    if caller.name in SEES_SUBJECT:
        assert item["subject"]["name"] == SUBJECT["name"]
        assert item["subject"]["customer_id"] == SUBJECT["customer_id"]
    else:
        assert item["subject"] is None


def test_an_agent_cannot_widen_the_list_to_another_agent(world: World) -> None:
    headers = {"Authorization": f"Bearer {_token(world.settings, OTHER_AGENT, Role.AGENT)}"}
    response = world.client.get(RECORDINGS, params={"agent_id": OWNER}, headers=headers)
    assert response.status_code == 200
    assert all(item["agent_id"] == OTHER_AGENT for item in response.json()["items"])
    assert world.ids["stored"] not in {item["id"] for item in response.json()["items"]}


def test_refusals_say_why_without_echoing_the_token(world: World) -> None:
    token = _signed(world.settings, _FOREIGN_SECRET)
    response = world.client.get(RECORDINGS, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert token not in response.text
    assert response.json()["detail"]


def test_the_world_is_what_the_table_assumes(world: World) -> None:
    with world.vault.factory() as session:
        stored = session.get(Recording, world.ids["stored"])
        ready = session.get(Recording, world.ids["ready"])
        assert stored is not None
        assert ready is not None
        assert (stored.status, stored.agent_id) == ("stored", OWNER)
        assert (ready.status, ready.agent_id) == ("ready", OWNER)
        assert session.get(Recording, world.ids["unknown"]) is None
    assert Path(world.settings.resolved_keyring_file).exists()


MALFORMED: list[tuple[str, str, dict[str, str]]] = [
    ("recording id not a uuid", "/api/v1/recordings/not-a-uuid", {}),
    ("audio of a recording id not a uuid", "/api/v1/recordings/x/audio", {}),
    ("unknown audio variant", AUDIO, {"variant": "bogus"}),
    ("list limit out of range", RECORDINGS, {"limit": "0"}),
    ("audit filter out of range", "/api/v1/audit", {"outcome": "maybe"}),
]


@pytest.mark.parametrize(
    ("path", "params"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_anonymous_malformed_requests_are_refused_and_audited(
    world: World, path: str, params: dict[str, str]
) -> None:
    """Authenticated by default: a caller without a token learns nothing and leaves a trace."""
    before = world.audit_count()
    response = world.client.get(path.format(recording_id=world.ids["stored"]), params=params)
    assert (response.status_code, world.audit_count() - before) == (401, 1), (
        "an anonymous request that fails validation must still be refused as unauthenticated "
        f"and audited; got {response.status_code} and {world.audit_count() - before} audit "
        "entries"
    )
