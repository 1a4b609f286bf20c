"""Metrics and access lines carry route templates, never raw paths or query strings."""

from __future__ import annotations

import json
import logging

import pytest

from tests.api.conftest import Api
from vault.auth.roles import Role
from vault.logs import JsonFormatter


def test_metrics_are_labelled_by_route_template(api: Api) -> None:
    rid = "0b8e3c1e-0000-4000-8000-000000000000"
    api.client.get(f"/api/v1/recordings/{rid}", headers=api.headers(Role.QA, "kalite"))
    api.client.get("/healthz")
    metrics = api.client.get("/metrics").text
    assert 'route="/api/v1/recordings/{recording_id}"' in metrics
    assert 'route="/healthz"' in metrics
    assert rid not in metrics


def test_access_lines_name_the_route_not_the_path(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="api.access")
    api.client.get(
        "/api/v1/recordings",
        params={"agent_id": "05321234567"},
        headers=api.headers(Role.QA, "kalite"),
    )
    lines = [
        json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "api.access"
    ]
    assert lines
    assert lines[-1]["route"] == "/api/v1/recordings"
    assert lines[-1]["status"] == 200
    assert "05321234567" not in json.dumps(lines)


def test_every_response_carries_a_request_id(api: Api) -> None:
    assert len(api.client.get("/healthz").headers["x-request-id"]) == 32
