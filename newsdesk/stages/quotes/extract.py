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

from newsdesk.stages.quotes import cues
from newsdesk.stages.quotes.linking import link
from newsdesk.stages.quotes.spans import speaker_chars
from newsdesk.stages.quotes.speakers import resolve_speakers
from newsdesk.stages.quotes.tagger import QuoteTagger, load_tagger
from newsdesk.stages.quotes.tokens import is_direct, tokenize


def analyse(
    text: str, tagger: QuoteTagger | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Quotes and stance statements of ``text``, as dicts of character spans.

    Quotes (the ``quotes -`` record format) are attributions whose cue is speech or attitude;
    stance statements (:func:`stance_statements`) those whose cue states a position; an
    attribution whose cue is an action is neither (:mod:`~newsdesk.stages.quotes.cues`).
    """
    tagger = tagger or load_tagger()
    toks = tokenize(text)
    if not toks.words:
        return [], []
    labels = tagger.tag(toks)
    quotes: list[dict[str, Any]] = []
    stances: list[dict[str, Any]] = []
    for att in link(toks, labels):
        kind = cues.classify(toks, att.cue, att.content) if att.cue else cues.SPEECH
        if kind == cues.ACTION:
            continue
        spans = [toks.char_span(*c) for c in sorted(att.content)]
        content = [list(c) for c in spans]
        rec: dict[str, Any] = {
            "content": content,
            "cue": list(toks.char_span(*att.cue)) if att.cue else None,
            "speaker": list(speaker_chars(toks, att.source)) if att.source else None,
            "speaker_name": None,
            "role": None,
        }
        if kind == cues.STANCE and att.cue:
            rec["stance"] = cues.stance_label(toks, att.cue)
            stances.append(rec)
        else:
            rec["kind"] = "direct" if is_direct(text, spans) else "reported"
            quotes.append(rec)
    resolve_speakers(text, quotes)
    resolve_speakers(text, stances)
    return quotes, stances


def extract(text: str, tagger: QuoteTagger | None = None) -> list[dict[str, Any]]:
    """Quotes in ``text`` as dicts of character spans (the ``quotes -`` record format)."""
    return analyse(text, tagger)[0]


def stance_statements(text: str, tagger: QuoteTagger | None = None) -> list[dict[str, Any]]:
    """Statements of position that are not speech ("Russia agreed to discuss a pause").

    Each: ``{"stance": "agree"|"reject"|"dismiss"|"propose"|…, "cue", "speaker" (the holder's
    span), "speaker_name" (resolved as for quotes), "role", "org", "content"}``, character
    spans into ``text``. The positions map reads these as claims; they are never quotes.
    """
    return analyse(text, tagger)[1]
