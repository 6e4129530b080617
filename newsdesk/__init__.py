"""newsdesk: self-hosted news intelligence.

>>> from newsdesk import api
>>> store = api.open_store("news.db")
>>> report = api.ingest(["articles/"], store)
>>> [a.title for a in api.articles(store, limit=3)]
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
