"""GET /api/v1/search: every search audited, with the query text redacted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.schemas import Speaker
from models.tables import AuditEntry
from tests.api.conftest import Api
from tests.vault.search.helpers import day, indexed
from vault.auth.roles import Role

SEARCH = "/api/v1/search"

# What a quality officer might type, the personal values in it, and the tag each becomes.
PERSONAL = [
    ("a phone number", "iptal 0532 418 27 90", ["0532", "418 27 90"], "[PHONE_NUMBER]"),
    ("a name", "Ahmet Yılmaz fatura", ["Ahmet", "Yılmaz"], "[PERSON]"),
    ("a name in lower case", "ayşe kaya iade", ["ayşe", "kaya"], "[PERSON]"),
    ("an e-mail address", "ahmet.yilmaz@example.com.tr", ["ahmet", "example"], "[EMAIL_ADDRESS]"),
    ("a card number", "kart 4111 1111 1111 1111", ["4111", "1111"], "[CARD_NUMBER]"),
    ("a T.C. kimlik number", "10000000146 kaydı", ["10000000146"], "[NATIONAL_ID]"),
]


def _entries(api: Api) -> list[AuditEntry]:
    with api.vault.factory() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "recording.search")
                .order_by(AuditEntry.seq)
            )
        )


def _search(
    api: Api, role: Role = Role.QA, user: str = "kalite", **params: str | int | list[str]
) -> int:
    response = api.client.get(SEARCH, params=params, headers=api.headers(role, user))
    return response.status_code


@pytest.mark.parametrize(
    ("what", "query", "values", "tag"), PERSONAL, ids=[row[0] for row in PERSONAL]
)
def test_a_searched_personal_value_reaches_the_audit_log_as_its_tag(
    api: Api, what: str, query: str, values: list[str], tag: str
) -> None:
    assert _search(api, q=query) == 200

    (entry,) = _entries(api)
    assert entry.outcome == "allowed"
    assert entry.detail is not None
    assert tag in entry.detail
    for value in values:
        assert value not in entry.detail


def test_ordinary_words_and_the_filters_stay_readable(api: Api) -> None:
    rid = indexed(api.vault.factory, [(Speaker.CUSTOMER, "Aboneliğimi iptal etmek istiyorum.")])
    response = api.client.get(
        SEARCH,
        params={"q": '"iptal etmek" OR iade*', "language": "tr", "sort": "date"},
        headers=api.headers(Role.QA, "kalite"),
    )
    assert response.status_code == 200, response.text
    assert [hit["recording_id"] for hit in response.json()["items"]] == [rid]
    cards_or_phones = ["CARD_NUMBER", "PHONE_NUMBER"]
    assert _search(api, q="iptal", entity=cards_or_phones, speaker="customer") == 200

    first, second = _entries(api)
    assert first.detail == 'q="\\"iptal etmek\\" OR iade*" language=tr sort=date'
    assert second.detail == (
        'q="iptal" entity=CARD_NUMBER entity=PHONE_NUMBER speaker=customer sort=relevance'
    )


def test_relevance_ranks_as_many_newest_matches_as_the_setting_says(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.settings, "search_relevance_window", 3)
    calls = [
        indexed(api.vault.factory, [(Speaker.CUSTOMER, "fatura " * n)], started_at=day(n))
        for n in range(1, 6)
    ]
    headers = api.headers(Role.QA, "kalite")
    page = api.client.get(SEARCH, params={"q": "fatura"}, headers=headers).json()
    assert page["ranked_within"] == 3
    assert {hit["recording_id"] for hit in page["items"]} == set(calls[2:])
    page = api.client.get(SEARCH, params={"q": "fatura", "sort": "date"}, headers=headers).json()
    assert page["ranked_within"] is None
    assert [hit["recording_id"] for hit in page["items"]] == calls[::-1]


def test_an_agent_id_filter_is_kept_and_a_search_without_words_says_so(api: Api) -> None:
    assert _search(api, agent_id="agent-007", min_duration=30) == 200
    (entry,) = _entries(api)
    assert entry.detail == 'min_duration=30 agent="agent-007" sort=relevance'


def test_control_characters_in_a_query_do_not_stop_the_audit_write(api: Api) -> None:
    assert _search(api, q="iptal\tkargo\x7f") == 200
    (entry,) = _entries(api)
    assert entry.detail == 'q="iptal kargo " sort=relevance'


def test_a_query_longer_once_redacted_is_cut_to_fit_the_audit_entry(api: Api) -> None:
    query = '"' + "a@b.co " * 70 + '"'  # 492 characters; 70 tags of 15 are 1,050
    assert _search(api, q=query, sort="date") == 200
    (entry,) = _entries(api)
    assert entry.detail is not None
    assert len(entry.detail) <= 1000
    assert entry.detail.startswith('q="\\"[EMAIL_ADDRESS] [EMAIL_ADDRESS]')
    assert entry.detail.endswith('…" sort=date')
    assert "a@b" not in entry.detail


def test_a_refused_search_is_audited_without_its_query(api: Api) -> None:
    assert _search(api, Role.ADMIN, "yonetici", q="0532 418 27 90") == 403
    (entry,) = _entries(api)
    assert (entry.outcome, entry.reason, entry.detail) == ("denied", "role", None)


def test_invalid_filters_are_audited_as_an_error(api: Api) -> None:
    status = _search(
        api, q="iptal", started_from="2026-02-01T00:00:00Z", started_to="2026-01-01T00:00:00Z"
    )
    assert status == 422
    (entry,) = _entries(api)
    assert (entry.outcome, entry.reason) == ("error", "invalid_input")


def test_an_unauthenticated_malformed_search_is_refused_as_unauthenticated(api: Api) -> None:
    response = api.client.get(SEARCH, params={"q": "x" * 600})
    assert response.status_code == 401
    (entry,) = _entries(api)
    assert (entry.outcome, entry.reason) == ("denied", "no_token")


def test_a_malformed_search_is_audited_once_without_its_query(api: Api) -> None:
    assert _search(api, q="0532 418 27 90 " * 40) == 422  # past the 500 characters allowed
    (entry,) = _entries(api)
    assert (entry.outcome, entry.detail) == ("denied", None)
