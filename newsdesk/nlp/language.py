"""Language identification of article text, with models bundled in their packages (no download).

``detect_language(text)`` is what ingest stores in ``articles.language`` (ISO 639-1). Two
maintained detectors are wired in and compared by ``benchmarks/language.py`` on
trafilatura-eval's pages: py3langid (langid.py's model, 97 languages) and lingua (high-accuracy
mode, 75 languages; larger and slower). The shipped choice is :data:`DETECTOR`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from newsdesk.nlp.tokens import word_count

SAMPLE_CHARS = 2000  # the detector reads this much of a text
MIN_WORDS = 3  # shorter texts get no language
DETECTOR = "py3langid"


@cache
def _py3langid() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _lingua() -> Any:
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError as exc:
        raise RuntimeError(
            "detect_lingua needs lingua-language-detector (pip install 'newsdesk[bench]')"
        ) from exc

    return LanguageDetectorBuilder.from_all_languages().build()  # models load as needed


def detect_py3langid(text: str) -> str | None:
    """py3langid's guess, or None when the text is too short or its probability is < 0.5."""
    sample = text[:SAMPLE_CHARS]
    if word_count(sample) < MIN_WORDS:
        return None
    lang, prob = _py3langid().classify(sample)
    return str(lang) if prob >= 0.5 else None


def detect_lingua(text: str) -> str | None:
    """lingua's guess (ISO 639-1), or None when too short or lingua cannot decide."""
    sample = text[:SAMPLE_CHARS]
    if word_count(sample) < MIN_WORDS:
        return None
    found = _lingua().detect_language_of(sample)
    return None if found is None else str(found.iso_code_639_1.name).lower()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure."""
    return detect_lingua(text) if DETECTOR == "lingua" else detect_py3langid(text)
