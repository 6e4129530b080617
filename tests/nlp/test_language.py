"""Language identification: the shipped detector and the one it was compared with."""

from __future__ import annotations

import pytest

from newsdesk.nlp.language import detect_language, detect_lingua, detect_py3langid

TEXTS = {
    "uk": "Президент України Володимир Зеленський зустрівся з прем'єр-міністром у Києві.",
    "ru": "Президент Украины Владимир Зеленский встретился с премьер-министром в Киеве.",
    "en": "Ukraine's president Volodymyr Zelensky met the prime minister in Kyiv on Monday.",
    "de": "Der ukrainische Präsident traf am Montag den Premierminister in Kiew.",
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_detects_the_language(lang: str) -> None:
    assert detect_language(TEXTS[lang]) == lang
    assert detect_py3langid(TEXTS[lang]) == lang


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_lingua_agrees_when_installed(lang: str) -> None:
    pytest.importorskip("lingua", reason="lingua-language-detector is in the bench extra")
    assert detect_lingua(TEXTS[lang]) == lang


def test_too_short_is_none() -> None:
    assert detect_language("Kyiv") is None
    assert detect_language("") is None
