"""Who said what: direct quotes and reported speech, with cue, speaker and content spans.

Why a trained tagger rather than hand-written rules: in news text the speaker mention carries
its apposition ("Nick Witney, a senior fellow at the European Council on Foreign Relations,
said …") and reported speech has no quotation marks to anchor it, so quotation-mark + cue-verb
rules stop at about 0.41 speaker-exact F1 on PolNeAR dev. No spaCy English model can be
installed here, so we train a linear-chain CRF (python-crfsuite, C code, fast to apply) on the
PolNeAR train split and ship it in ``newsdesk/resources/`` (script: ``scripts/train_quotes.py``).

Steps, for one text:
1. tokenise with a regex (offsets kept) and split into paragraphs and rough sentences;
2. tag every token ``B-/I-`` speaker (S), cue (C) or content (Q), or O, paragraph by paragraph,
   with word, shape, neighbour, quote-state and learned cue-lexicon features;
3. link each content span to the nearest cue (same sentence first) and each speaker span to the
   nearest cue in its sentence; a cue with content becomes one quote;
4. resolve the speaker mention to a person or role (:mod:`~newsdesk.stages.quotes.speakers`).

Modules: :mod:`~newsdesk.stages.quotes.tokens` (step 1), :mod:`~newsdesk.stages.quotes.features`
and :mod:`~newsdesk.stages.quotes.tagger` (step 2), :mod:`~newsdesk.stages.quotes.linking`
(step 3), :mod:`~newsdesk.stages.quotes.speakers` (step 4). Speed: feature extraction
dominates, so per-word feature strings are cached and every regex is compiled once; tagging
itself runs in crfsuite's C code.
"""

from __future__ import annotations

from typing import Any

from newsdesk.stages.quotes.linking import link
from newsdesk.stages.quotes.speakers import resolve_speakers
from newsdesk.stages.quotes.tagger import QuoteTagger, load_tagger
from newsdesk.stages.quotes.tokens import is_direct, tokenize


def extract(text: str, tagger: QuoteTagger | None = None) -> list[dict[str, Any]]:
    """Quotes in ``text`` as dicts of character spans (the ``quotes -`` record format)."""
    tagger = tagger or load_tagger()
    toks = tokenize(text)
    if not toks.words:
        return []
    labels = tagger.tag(toks)
    atts = link(toks, labels)
    out: list[dict[str, Any]] = []
    for att in atts:
        content = [list(toks.char_span(*c)) for c in sorted(att.content)]
        out.append(
            {
                "content": content,
                "cue": list(toks.char_span(*att.cue)) if att.cue else None,
                "speaker": list(toks.char_span(*att.source)) if att.source else None,
                "speaker_name": None,
                "role": None,
                "kind": "direct" if is_direct(text, [tuple(c) for c in content]) else "reported",
            }
        )
    resolve_speakers(text, out)
    return out
