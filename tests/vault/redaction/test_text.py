"""Turkish-aware folding keeps offsets: one character in, one character out."""

from __future__ import annotations

import pytest

from vault.redaction.text import ascii_fold, fold, normalise

CASES = [
    ("İSTANBUL", "istanbul", "istanbul"),
    ("IŞIK", "ışık", "isik"),
    ("Yılmaz'ın", "yılmaz'ın", "yilmaz'in"),
    ("ÇAĞRI ÖZGÜR", "çağrı özgür", "cagri ozgur"),
    ("i̇brahim", "i̇brahim", "i̇brahim"),
    ("Hello WORLD", "hello world", "hello world"),
]


@pytest.mark.parametrize(("text", "folded", "plain"), CASES)
def test_fold_keeps_length(text: str, folded: str, plain: str) -> None:
    assert fold(text) == folded
    assert ascii_fold(text) == plain
    assert len(fold(text)) == len(ascii_fold(text)) == len(text)


def test_english_folding_uses_english_rules() -> None:
    assert fold("IRIS", turkish=False) == "iris"
    assert fold("IRIS") == "ırıs"


@pytest.mark.parametrize(
    ("a", "b"),
    [("İbrahim  Yılmaz", "ibrahim yilmaz"), ("i̇brahim", "IBRAHIM"), ("ŞÜKRÜ", "sukru")],
)
def test_normalise_makes_spellings_agree(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)
