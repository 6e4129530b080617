"""Names across scripts: transliteration and the spelling-tolerant name key."""

from __future__ import annotations

from newsdesk.nlp.translit import alphabetic, latin, name_key


def test_one_name_three_spellings_one_key() -> None:
    keys = {
        name_key("Зеленський", inflected=True),
        name_key("Зеленский", inflected=True),
        name_key("Zelensky"),
        name_key("Zelenskyy"),
    }
    assert keys == {"zlnsk"}
    assert name_key("Києві", inflected=True) == name_key("Kyiv") == name_key("Kiev") == "kv"


def test_case_endings_cut_only_from_inflected_names() -> None:
    assert name_key("Байденом", inflected=True) == name_key("Biden") == "bdn"
    assert name_key("Paris") != name_key("Байденом", inflected=True)


def test_latin_and_alphabetic() -> None:
    assert latin("Харків") == "Kharkiv"
    assert alphabetic("Зеленський у Києві") and alphabetic("Zelensky in Kyiv")
    assert not alphabetic("习近平在北京会见")
