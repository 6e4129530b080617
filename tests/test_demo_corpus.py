"""The demo corpus gathers a story in two languages (issue 17): Euronews' German and English
reports of one event join one story; the demo's other pages stay apart from it."""

from __future__ import annotations

from newsdesk import api
from newsdesk.settings import Settings
from newsdesk.views.stories import get_story, story_of_article


def test_demo_pages_make_a_two_language_story(tmp_path) -> None:
    settings = Settings.load(db=str(tmp_path / "demo.db"), story_views=False)
    store = api.open_store(settings.db)
    pages = [p for p in api.demo_paths() if "/pages/" in p]
    api.ingest(pages, store, settings, run_stages=False)
    api.run(store, settings, only=["cluster"])
    arts = api.articles(store, limit=50)
    by_lang = {a.language for a in arts}
    assert {"en", "de", "ru"} <= by_lang
    venezuela = [a for a in arts if "Venezuel" in (a.title or "")]
    assert {a.language for a in venezuela} == {"en", "de"}
    sid = story_of_article(store, venezuela[0].id)
    assert all(story_of_article(store, a.id) == sid for a in venezuela)
    others = [a for a in arts if a not in venezuela]
    assert all(story_of_article(store, a.id) != sid for a in others)
    view = get_story(store, sid)
    assert dict(view.languages) == {"de": 1, "en": 1}
