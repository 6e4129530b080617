"""The baseline summarizers: Lead-k, and sumy's LexRank and TextRank over newsdesk's tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from newsdesk.nlp.tokens import PLAIN_WORD
from newsdesk.stages.summarize.doc import Doc


class Lead:
    """The first k sentences: Lead-3, the classic news baseline."""

    name = "lead"

    def select(self, doc: Doc, k: int) -> list[int]:
        return list(range(min(k, len(doc))))


class _WordTokenizer:
    """sumy's tokenizer seam, fed by newsdesk's word pattern (no NLTK punkt data needed)."""

    language = "english"

    def to_words(self, sentence: str) -> list[str]:
        return PLAIN_WORD.findall(sentence)

    def to_sentences(self, paragraph: str) -> list[str]:  # pragma: no cover - never called
        return [paragraph]


class _Sumy:
    name = ""
    _factory: ClassVar[str] = ""

    def __init__(self) -> None:
        self._summarizer: Any = None

    def _get(self) -> Any:
        if self._summarizer is None:
            try:
                from sumy.nlp.stemmers import Stemmer
                from sumy.utils import get_stop_words
            except ImportError as exc:  # sumy is in the "bench" extra
                raise RuntimeError(
                    f"the {self.name} summarizer needs sumy: pip install 'newsdesk[bench]'"
                ) from exc

            module, cls = self._factory.rsplit(".", 1)
            mod = __import__(module, fromlist=[cls])
            summarizer = getattr(mod, cls)(Stemmer("english"))
            summarizer.stop_words = get_stop_words("english")
            self._summarizer = summarizer
        return self._summarizer

    def select(self, doc: Doc, k: int) -> list[int]:
        if k <= 0 or not len(doc):
            return []
        if k >= len(doc):
            return list(range(len(doc)))
        from sumy.models.dom import ObjectDocumentModel, Paragraph
        from sumy.models.dom import Sentence as SumySentence

        tok = _WordTokenizer()
        sents = [SumySentence(s, tok) for s in doc.strings]
        index = {id(s): i for i, s in enumerate(sents)}
        chosen = self._get()(ObjectDocumentModel([Paragraph(sents)]), k)
        return sorted(index[id(s)] for s in chosen)


class LexRank(_Sumy):
    """LexRank (Erkan & Radev 2004), sumy's implementation."""

    name = "lexrank"
    _factory = "sumy.summarizers.lex_rank.LexRankSummarizer"


class TextRank(_Sumy):
    """TextRank (Mihalcea & Tarau 2004), sumy's implementation."""

    name = "textrank"
    _factory = "sumy.summarizers.text_rank.TextRankSummarizer"
