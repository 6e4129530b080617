"""The quote tagger: the shipped CRF (trained by scripts/train_quotes.py) and its cue lexicon."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from newsdesk import resources
from newsdesk.stages.quotes.features import Featurizer
from newsdesk.stages.quotes.tokens import Tokens

MODEL_PATH = resources.path("quotes.crfsuite")
LEXICON_PATH = resources.path("quotes_cues.json")


class QuoteTagger:
    """The shipped CRF plus its cue lexicon; load once per process with :func:`load_tagger`."""

    def __init__(self, model_path: Path = MODEL_PATH, lexicon_path: Path = LEXICON_PATH) -> None:
        import pycrfsuite

        with open(lexicon_path, encoding="utf-8") as fh:
            lexicon = json.load(fh)
        version = int(lexicon.pop("__version__", 1))
        self.featurizer = Featurizer(lexicon, version)
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(model_path))

    def tag(self, toks: Tokens) -> list[str]:
        labels: list[str] = []
        for a, b in toks.paragraphs:
            labels.extend(self.tagger.tag(self.featurizer.paragraph(toks, a, b)))
        return labels


@lru_cache(maxsize=1)
def load_tagger() -> QuoteTagger:
    return QuoteTagger()
