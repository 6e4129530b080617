"""Search: full text plus semantic similarity, fused with reciprocal rank fusion.

``query`` runs a search (:func:`search`); ``fulltext`` and ``semantic`` are the two retrievers,
``snippets`` the result excerpts, ``filters`` the restrictions both retrievers apply.
"""

from newsdesk.search.filters import Filters
from newsdesk.search.query import SearchHit, SearchResults, query_terms, rrf, search
from newsdesk.search.snippets import snippet

__all__ = ["Filters", "SearchHit", "SearchResults", "query_terms", "rrf", "search", "snippet"]
