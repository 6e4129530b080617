"""Scraped plain-text pages (the seed format): find the article in a page's visible text.

A scraper that copies a page's text gets the article *and* the page around it: section
labels, "2 min read", share and donation boxes, "Previous Article" with the neighbouring
headlines, footers. :class:`Cleaner` separates them:

1. split the page into lines (blank lines only separate; they are remembered as features),
   putting back together what the renderer broke: lines a text browser wrapped, text nodes an
   inline link cut, bullets and lynx link markers taken off — :mod:`.lines`;
2. metadata lines are recognised by their shape, not by a list of strings from one site:
   ``Label`` + value pairs (category/section/topic…, authors/by…), "N min read", date lines,
   captions (a line repeated on the page, or one carrying a photo credit such as
   "(Source: Getty Images)") — each is kept once, as metadata, never as body text
   — :mod:`.metadata`;
3. every line is scored in two passes of gradient-boosted trees over layout features (length,
   words, punctuation, capitalisation, function-word ratio, a learned furniture/body
   vocabulary, repetition, position, bullets, the run of short lines it sits in, windows of
   long and link-like lines, the page's line-length profile) and the same features of its
   neighbours; the second pass adds the first pass's scores of the neighbours, so a short
   line between two paragraphs stays and a headline after "Next Article" goes
   — :mod:`.features`, :mod:`.trees`;
4. the body is the run of article lines around the main block (isolated hits far after it are
   related-article teasers, not body); the title is the best heading-like line above the body
   — :mod:`.cleaner`.

The model lives in ``newsdesk/resources/cleaner.json`` (plain JSON, no pickle), written by
``scripts/train_cleaner.py``, which trains on pages of zyte-article-bench, fundus-news-pages
and trafilatura-eval rendered from HTML by four renderers (inscriptis, w3m, lynx, text
nodes), with gold bodies. Features are pure Python + numpy; the trees are scored by
onnxruntime from their ONNX form in the same file (numpy walks a model without it): a few
milliseconds per page.
"""

from __future__ import annotations

from newsdesk.ingest.plaintext.cleaner import (
    BODY_THRESHOLD,
    MODEL_PATH,
    PAGE_REMOVED_SHARE,
    Cleaner,
    CleanPage,
    Logistic,
    as_page,
    clean_text,
    default_cleaner,
    filter_records,
    page_sentences,
    parse_page,
    read_plaintext,
    removed_share,
    scorer,
)
from newsdesk.ingest.plaintext.features import features_pass1, features_pass2
from newsdesk.ingest.plaintext.lines import Line, norm, split_lines

__all__ = [
    "BODY_THRESHOLD",
    "MODEL_PATH",
    "PAGE_REMOVED_SHARE",
    "CleanPage",
    "Cleaner",
    "Line",
    "Logistic",
    "as_page",
    "clean_text",
    "default_cleaner",
    "features_pass1",
    "features_pass2",
    "filter_records",
    "norm",
    "page_sentences",
    "parse_page",
    "read_plaintext",
    "removed_share",
    "scorer",
    "split_lines",
]
