"""Stage ``quotes``: who said what — direct quotes and reported speech with cue, speaker, content.

``extract`` tags and links (CRF tagger + rules), ``speakers`` resolves speaker mentions within
an article, ``stage`` is the pipeline stage, ``tables`` its table.
"""

from newsdesk.stages.quotes.extract import load_tagger
from newsdesk.stages.quotes.stage import Quotes, filter_records

__all__ = ["Quotes", "filter_records", "load_tagger"]
