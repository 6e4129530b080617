"""Stage ``entities``: people and organizations, from titles and quote speakers, merged across
articles. ``people`` finds them in one article, ``stage`` stores them, ``tables`` holds them."""

from newsdesk.stages.entities.people import people_of_article
from newsdesk.stages.entities.stage import Entities, filter_records

__all__ = ["Entities", "filter_records", "people_of_article"]
