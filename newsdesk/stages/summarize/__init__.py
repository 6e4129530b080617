"""Stage ``summarize``: extractive article summaries, and the multi-document story summariser.

``summarizers`` holds the methods behind one interface (``summarize(doc, length, method)``),
``stage`` the pipeline stage, ``tables`` its table.
"""

from newsdesk.stages.summarize.stage import Summarize
from newsdesk.stages.summarize.summarizers import (
    SUMMARIZERS,
    Doc,
    Length,
    get_summarizer,
    summarize,
    summarize_multi,
)

__all__ = [
    "SUMMARIZERS",
    "Doc",
    "Length",
    "Summarize",
    "get_summarizer",
    "summarize",
    "summarize_multi",
]
