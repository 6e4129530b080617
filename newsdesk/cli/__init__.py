"""The ``newsdesk`` command line: a thin Typer layer over :mod:`newsdesk.api`.

Each area's commands live in their own module and attach to ``app`` on import.
Library errors become a one-line message and exit status 1, never a traceback.
"""

from __future__ import annotations

import logging
import sys

from newsdesk.cli.common import app

# Command modules: importing one registers its commands on ``app``.
from newsdesk.cli import articles as _articles  # noqa: F401  isort: skip
from newsdesk.cli import summaries as _summaries  # noqa: F401  isort: skip
from newsdesk.cli import web as _web  # noqa: F401  isort: skip
from newsdesk.cli import stories as _stories  # noqa: F401  isort: skip
from newsdesk.cli import quotes as _quotes  # noqa: F401  isort: skip
from newsdesk.cli import clean as _clean  # noqa: F401  isort: skip
from newsdesk.cli import storyviews as _storyviews  # noqa: F401  isort: skip
from newsdesk.cli import positions as _positions  # noqa: F401  isort: skip
from newsdesk.cli import watch as _watch  # noqa: F401  isort: skip
from newsdesk.cli import briefs as _briefs  # noqa: F401  isort: skip
from newsdesk.cli import alerts as _alerts  # noqa: F401  isort: skip


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(app())


__all__ = ["app", "main"]
