"""A call goes through the worker and is found by the quality team's search, redacted."""

from __future__ import annotations

from tests.api.conftest import metadata
from tests.speech import place, speak
from tests.workers.conftest import Calls
from tests.workers.test_embedded import upload
from vault.auth.roles import Role

SAID = "Hello, my name is Jane Doe. I would like to cancel my broadband subscription please."


def test_a_ready_call_is_found_by_its_words_and_never_by_its_personal_data(
    embedded: Calls,
) -> None:
    call = place([(0.5, speak(SAID, lang="en"))])
    meta = metadata("search-1", language="en")
    meta["subject"] = {"customer_id": "CUST-777", "name": "Jane Doe"}
    rid = upload(embedded, call, "search-1", **{k: v for k, v in meta.items() if k != "call_id"})
    assert embedded.wait(rid, until={"ready", "failed"})["status"] == "ready"
    api = embedded.api

    def search(role: Role, user: str, q: str) -> list[dict[str, object]]:
        response = api.client.get(
            "/api/v1/search", params={"q": q}, headers=api.headers(role, user)
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, object]] = response.json()["items"]
        return items

    hits = search(Role.QA, "kalite", "cancel")
    assert [h["recording_id"] for h in hits] == [rid]
    snippet = hits[0]["snippets"][0]  # type: ignore[index]
    assert "<mark>" in snippet["html"]
    assert snippet["start"] >= 0.0
    assert "Jane" not in str(hits)
    assert search(Role.QA, "kalite", "Jane") == []
    assert search(Role.QA, "kalite", "Doe") == []
    assert search(Role.AGENT, "ayse", "cancel") != []  # the agent's own call
    assert search(Role.AGENT, "mehmet", "cancel") == []  # another agent's call
    forbidden = api.client.get(
        "/api/v1/search", params={"q": "cancel"}, headers=api.headers(Role.ADMIN, "yonetici")
    )
    assert forbidden.status_code == 403
