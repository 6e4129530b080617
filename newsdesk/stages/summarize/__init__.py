"""Stage ``summarize``: extractive article summaries, and the multi-document story summariser.

``doc`` (what the summarizers read; summary length), ``baselines`` (Lead, LexRank, TextRank),
``features`` + ``scorer`` (the newsdesk method's sentence features and logistic model),
``mmr`` (redundancy-aware selection), ``summarizers`` (the one interface,
``summarize(doc, length, method)``), ``multi`` (story summaries, ``summarize_multi``), ``stage`` the pipeline stage,
``tables`` its table.
"""

from newsdesk.stages.summarize.doc import DEFAULT_SENTENCES, Doc, Length
from newsdesk.stages.summarize.features import FEATURES, features
from newsdesk.stages.summarize.multi import StoryScorer, summarize_multi
from newsdesk.stages.summarize.scorer import MODEL_FILE, ScorerModel, shipped_model
from newsdesk.stages.summarize.stage import Summarize
from newsdesk.stages.summarize.summarizers import (
    DEFAULT_METHOD,
    SUMMARIZERS,
    Newsdesk,
    Summarizer,
    get_summarizer,
    summarize,
)

__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_SENTENCES",
    "FEATURES",
    "MODEL_FILE",
    "SUMMARIZERS",
    "Doc",
    "Length",
    "Newsdesk",
    "ScorerModel",
    "StoryScorer",
    "Summarize",
    "Summarizer",
    "features",
    "get_summarizer",
    "shipped_model",
    "summarize",
    "summarize_multi",
]
