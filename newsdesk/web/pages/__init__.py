"""What each page shows, per area, as JSON-able dicts: a page's HTML and its JSON twin come from
the same dict. Every value comes from a typed :mod:`newsdesk.api` call; a missing part is an
import error or an exception (a failing test), never a silently omitted section.

Values from articles are untrusted: they are returned as plain strings and the templates escape
them (Jinja2 autoescape); URLs are only kept when they are http(s) (:func:`common.safe_url`).
"""

from newsdesk.web.pages.common import MAX_PAGE_SIZE, PAGE_SIZE, features

__all__ = ["MAX_PAGE_SIZE", "PAGE_SIZE", "features"]
