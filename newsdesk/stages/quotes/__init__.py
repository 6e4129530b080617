"""Stage ``quotes``: who said what — direct quotes and reported speech with cue, speaker, content.

``tokens`` (tokenizer), ``features`` and ``tagger`` (the CRF), ``linking`` (rules that group
tagged spans into quotes) with ``spans`` (its speaker and content span rules), ``speakers``
(speaker resolution within an article) and ``extract`` (the four in a row) find quotes in one
text; ``stage`` is the pipeline stage, ``tables`` its table.
"""

from newsdesk.stages.quotes.stage import Quotes, filter_records
from newsdesk.stages.quotes.tagger import load_tagger

__all__ = ["Quotes", "filter_records", "load_tagger"]
