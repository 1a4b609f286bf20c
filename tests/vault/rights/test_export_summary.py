"""The export's readable summary: built-in texts in Turkish and English, replaceable by a file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vault.errors import ConfigurationError
from vault.rights import summary

FACTS = summary.Facts(
    export_id="e-1",
    created_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC),
    recordings=2,
    first_call=datetime(2024, 3, 1, tzinfo=UTC),
    last_call=datetime(2025, 6, 2, tzinfo=UTC),
    accesses=7,
    denied=1,
)


def _builtin() -> dict[str, dict[str, object]]:
    return {lang: texts.model_dump() for lang, texts in summary.load_texts(None).items()}


def test_the_built_in_summary_says_what_is_held_why_for_whom_and_how_long() -> None:
    texts = summary.load_texts(None)
    english = summary.render(texts["en"], FACTS)
    for heading in ("Categories", "Purposes", "Recipients", "Retention"):
        assert heading in english
    assert "Call recordings: 2" in english
    assert "from 2024-03-01 to 2025-06-02" in english
    assert "Accesses to your recordings: 7 (and refused attempts: 1)" in english
    turkish = summary.render(texts["tr"], FACTS)
    for heading in ("veri kategorileri", "İşleme amaçları", "alıcı grupları", "Saklama"):
        assert heading in turkish
    assert "Görüşme kaydı sayısı: 2" in turkish
    empty = summary.render(texts["en"], summary.Facts("e", FACTS.created_at, 0, None, None, 0, 0))
    assert "No call recordings about you are held." in empty


def test_a_texts_file_replaces_the_built_in_texts(tmp_path: Path) -> None:
    data = _builtin()
    data["en"]["title"] = "What Acme Telekom holds about you"
    path = tmp_path / "texts.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rendered = summary.render(summary.load_texts(path)["en"], FACTS)
    assert rendered.startswith("What Acme Telekom holds about you\n")


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("tr"),
        lambda d: d["en"].pop("retention"),
        lambda d: d["en"]["facts"].update(recordings="{calls} calls"),
        lambda d: d["tr"].update(extra="?"),
    ],
    ids=["no-turkish", "no-retention", "unknown-placeholder", "unknown-field"],
)
def test_a_texts_file_that_does_not_fit_is_a_configuration_error(
    tmp_path: Path, change: object
) -> None:
    data = _builtin()
    assert callable(change)
    change(data)
    path = tmp_path / "texts.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="VAULT_EXPORT_TEXTS_FILE"):
        summary.load_texts(path)
    with pytest.raises(ConfigurationError):
        summary.load_texts(tmp_path / "missing.json")
