"""Stage ``embed``: sentence-embedding vectors for semantic search."""

from newsdesk.stages.embed.stage import Embed

__all__ = ["Embed"]
