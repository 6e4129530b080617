"""Built-in analysis stages. Importing this package registers each of them (see registry).

One import per built-in stage module; each registers its schema component and its @stage class.
"""

from newsdesk import search as _search  # noqa: F401  (component "search", stage "embed")
from newsdesk.stages import cluster as _cluster  # noqa: F401  (component "stories", stage "cluster")
from newsdesk.stages import entities as _entities  # noqa: F401  (component "entities", stage "entities")
from newsdesk.stages import quotes as _quotes  # noqa: F401  (component "quotes", stage "quotes")
from newsdesk.stages import summarize as _summarize  # noqa: F401  (component "summaries", stage "summarize")
