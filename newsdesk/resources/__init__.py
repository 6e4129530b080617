"""Shipped data: trained models (``*.json``, ``*.crfsuite``) and word lists (``lexicons/``).

Each model is written by a script in ``scripts/`` (named in the module that loads it); nothing
here is downloaded at run time.
"""

from __future__ import annotations

from pathlib import Path

DIR = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """The shipped file ``name`` (relative to this folder)."""
    return DIR / name
