"""Stage ``entities``: people, organizations and places from the entity tagger
(:mod:`newsdesk.nlp.ner`), merged across articles. ``people`` groups one article's mentions,
``roles`` reads titles and appositions, ``stage`` stores them, ``tables`` holds them."""

from newsdesk.stages.entities.people import article_entities
from newsdesk.stages.entities.stage import Entities, filter_records

__all__ = ["Entities", "article_entities", "filter_records"]
