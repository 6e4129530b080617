"""Language identification with py3langid's bundled model (no download)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from newsdesk.nlp.tokens import word_count


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure."""
    sample = text[:2000]
    if word_count(sample) < 3:
        return None
    lang, prob = _identifier().classify(sample)
    return str(lang) if prob >= 0.5 else None
