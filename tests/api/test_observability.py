"""Metrics, access lines and traces carry route templates, never raw paths or query strings."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

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


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing configured as an operator would (a global provider): FastAPI picks it up. The
    global provider can be set once per process; one set before is reused, never skipped."""
    exporter = InMemorySpanExporter()
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # later spans are dropped, not kept in memory


def test_a_plain_fastapi_app_would_trace_the_query_string(spans: InMemorySpanExporter) -> None:
    """What the vault's app is kept from doing: this test would see it."""
    plain = FastAPI()

    @plain.get("/echo")
    def echo(q: str) -> str:
        return q

    spans.clear()
    with TestClient(plain) as client:
        assert client.get("/echo", params={"q": "05321234567"}).status_code == 200
    assert any("05321234567" in str(s.attributes) for s in spans.get_finished_spans())


def test_no_span_carries_a_searched_value(api: Api, spans: InMemorySpanExporter) -> None:
    spans.clear()
    response = api.client.get(
        "/api/v1/search",
        params={"q": "iptal 0532 123 45 67 ayse.kaya@example.com"},
        headers=api.headers(Role.QA, "kalite"),
    )
    assert response.status_code == 200
    recorded = " ".join(str(s.attributes) for s in spans.get_finished_spans())
    assert "0532" not in recorded
    assert "ayse.kaya" not in recorded
    assert "iptal" not in recorded
