"""The reliability suite (issue 20): `make reliability` (quick) or `make reliability-full`.

Its tests kill processes, crawl every page and fuzz every parser, so `make test` skips them;
``NEWSDESK_RELIABILITY=quick`` (CI: `.ci/run`) or ``=full`` turns them on. Quick mode uses small
corpora and few kill points; full mode the sizes the issue names.
"""

from __future__ import annotations

import os

import pytest

from tests.store.test_postgres import pg_url  # noqa: F401  (the throwaway server)

MODE = os.environ.get("NEWSDESK_RELIABILITY", "")


def full() -> bool:
    return MODE == "full"


@pytest.fixture(autouse=True)
def _reliability_mode() -> None:
    if MODE not in {"quick", "full"}:
        pytest.skip("the reliability suite runs with `make reliability` (NEWSDESK_RELIABILITY)")
