"""Stored story views: what get_story returns is what compute_story computes, kept current."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from newsdesk import pipeline
from newsdesk.api import recluster
from newsdesk.settings import Settings
from newsdesk.stages.cluster.features import proper_nouns
from newsdesk.stages.cluster.tables import stories, story_articles, story_views
from newsdesk.store.schema import articles
from newsdesk.views import threads
from newsdesk.views.stories import (
    build_story_views,
    compute_story,
    get_story,
    story_of_article,
    view_from_json,
    view_to_json,
)
from tests.stages.test_cluster import CORPUS, _add, _article
from tests.stages.test_threads import _seed_articles


@pytest.fixture
def settings(tmp_path):
    """These tests follow the lazy path: no views stored by the stage's after_run."""
    return Settings.load(db=str(tmp_path / "news.db"), story_views=False)


def _stored(store) -> dict[int, str]:
    with store.connect() as conn:
        return dict(conn.execute(select(story_views.c.story_id, story_views.c.version)).all())


def test_first_read_stores_the_view_and_later_reads_return_it(store, settings):
    _add(store, [_article(*row) for row in CORPUS])
    pipeline.run(store, settings, only=["cluster"])
    sid = story_of_article(store, "quake-chile-a")
    assert _stored(store) == {}
    first = get_story(store, sid)
    assert first == compute_story(store, sid)
    assert set(_stored(store)) == {sid}
    # the second read comes from the table: make the stored payload recognisable to prove it
    with store.connect() as conn:
        payload = conn.scalar(select(story_views.c.payload).where(story_views.c.story_id == sid))
    assert view_from_json(payload) == first
    marked = payload.replace('"outlets":[["AP",1]', '"outlets":[["AP (stored)",1]')
    assert marked != payload
    with store.begin() as conn:
        conn.execute(story_views.update().values(payload=marked))
    assert dict(get_story(store, sid).outlets) == {"AP (stored)": 1, "Reuters": 1}


def test_a_changed_story_is_recomputed(store, settings):
    arts = [_article(*row) for row in CORPUS]
    _add(store, arts)
    pipeline.run(store, settings, only=["cluster"])
    sid = story_of_article(store, "apple-a")
    assert get_story(store, sid).story.articles == 2
    assert sid in _stored(store)
    _add(
        store,
        [
            _article(
                "apple-c",
                "CNBC",
                "2024-05-04",
                "Apple rallies on record iPhone sales",
                "Apple shares rallied 6% after record iPhone sales in China, Tim Cook said.",
            )
        ],
    )
    pipeline.run(store, settings, only=["cluster"])
    assert story_of_article(store, "apple-c") == sid
    assert sid not in _stored(store)  # the cluster stage dropped the view of the story it grew
    view = get_story(store, sid)
    assert view == compute_story(store, sid)
    assert view.story.articles == 3 and dict(view.outlets)["CNBC"] == 1
    # a stale stored view (version no longer matching) is never returned
    with store.begin() as conn:
        conn.execute(story_views.update().values(version="stale"))
    assert get_story(store, sid) == view


def test_build_story_views_and_recluster(store, settings):
    _add(store, [_article(*row) for row in CORPUS])
    pipeline.run(store, settings, only=["cluster"])
    assert build_story_views(store) == 4
    assert build_story_views(store) == 0  # all current
    with store.connect() as conn:
        ids = list(conn.scalars(select(stories.c.id)))
    assert sorted(_stored(store)) == sorted(ids)
    for sid in ids:
        assert get_story(store, sid) == compute_story(store, sid)
    recluster(store, settings)
    assert _stored(store) == {}


def test_thread_view_round_trips_and_label_matches_a_per_story_reading(store, settings):
    arts = _seed_articles()
    _add(store, arts)
    pipeline.run(store, settings, only=["cluster"])
    a, b = (story_of_article(store, x.id) for x in arts)
    view = get_story(store, b)
    assert view.thread is not None
    assert view_from_json(view_to_json(view)) == view
    assert get_story(store, b) == view  # from the table, thread included
    # the label, read the straightforward way: each story's first five articles on their own
    counts: Counter[str] = Counter()
    with store.connect() as conn:
        for sid in (a, b):
            rows = conn.execute(
                select(articles.c.title, articles.c.text)
                .join(story_articles, story_articles.c.article_id == articles.c.id)
                .where(story_articles.c.story_id == sid)
                .order_by(story_articles.c.position)
                .limit(5)
            ).all()
            counts.update(
                {n for t, x in rows for n in proper_nouns(f"{t or ''}.\n{x[:1500]}") if len(n) > 2}
            )
    common = [n for n, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c >= 2]
    assert view.thread.label == " · ".join(n.title() for n in common[:4])
    threads.forget_names()  # the memo gives the same label as a fresh reading
    assert compute_story(store, b).thread.label == view.thread.label


def test_cli_story_views(store, settings):
    import json

    from typer.testing import CliRunner

    from newsdesk.cli import app

    _add(store, [_article(*row) for row in CORPUS])
    pipeline.run(store, settings, only=["cluster"])
    res = CliRunner().invoke(app, ["story-views", "--json", "--db", settings.db])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["computed"] == 4
    res = CliRunner().invoke(app, ["story-views", "--json", "--db", settings.db])
    assert json.loads(res.stdout)["computed"] == 0
    assert len(_stored(store)) == 4


def test_a_busy_store_costs_a_recompute_not_a_wait(store, settings):
    import sqlite3
    import time

    _add(store, [_article(*row) for row in CORPUS])
    pipeline.run(store, settings, only=["cluster"])
    sid = story_of_article(store, "tesla-a")
    writer = sqlite3.connect(settings.db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write (an ingest)
    try:
        t0 = time.perf_counter()
        view = get_story(store, sid)
        assert time.perf_counter() - t0 < 5.0  # not the store's 2-minute busy timeout
        assert view == compute_story(store, sid)
        assert _stored(store) == {}
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert get_story(store, sid) == view
    assert set(_stored(store)) == {sid}
    with store.connect() as conn:  # the connection's busy timeout is back to the store's
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 120000


def test_ingest_stores_views_of_changed_stories(tmp_path):
    """The cluster stage's after_run stores views, so a first story page is read, not computed."""
    import json as _json

    from newsdesk import api as _api
    from newsdesk.api import open_store as _open
    from newsdesk.settings import Settings as _Settings
    from newsdesk.views.stories import stories_without_views

    body = "Turkey hosted new talks between Russia and Ukraine in Istanbul on Wednesday. " * 5
    path = tmp_path / "a.jsonl"
    path.write_text(
        "".join(
            _json.dumps(
                {
                    "url": f"https://o{i}.example/a",
                    "outlet": f"O{i}",
                    "title": "Talks",
                    "text": body + str(i),
                }
            )
            + "\n"
            for i in range(3)
        )
    )
    settings = _Settings.load(db=str(tmp_path / "v.db"))
    store = _open(settings.db)
    _api.ingest([str(path)], store, settings)
    assert store.count_articles() == 3
    assert stories_without_views(store) == []
    off = _Settings.load(db=str(tmp_path / "w.db"), story_views=False)
    store2 = _open(off.db)
    _api.ingest([str(path)], store2, off)
    assert stories_without_views(store2) != []
    store.close()
    store2.close()


def test_a_story_in_two_languages_lists_them_and_summarises_in_the_asked_one(store, settings):
    """English and Ukrainian reports of one event: one story, both languages listed; the
    summary in the main language names the other language's outlet; asked for Ukrainian, the
    view holds the Ukrainian articles and a Ukrainian summary."""
    from dataclasses import replace

    texts = [
        ("en-a", "Reuters", "en", "Zelensky and Scholz meet in Kyiv over air defence",
         "Ukrainian President Volodymyr Zelensky met German Chancellor Olaf Scholz in Kyiv on "
         "Tuesday. They discussed air defence systems. Germany pledged 2.7 billion euros."),
        ("en-b", "AP", "en", "Scholz visits Kyiv, pledges air defence to Zelensky",
         "German Chancellor Olaf Scholz arrived in Kyiv on Tuesday. He promised Volodymyr "
         "Zelensky more air defence. The package is worth 2.7 billion euros."),
        ("uk-a", "Ukrainska Pravda", "uk", "Зеленський і Шольц зустрілися у Києві",
         "Президент України Володимир Зеленський у вівторок зустрівся в Києві з канцлером "
         "Німеччини Олафом Шольцом. Вони обговорили системи ППО. Німеччина виділить 2.7 млрд євро."),
    ]  # fmt: skip
    arts = [
        replace(_article(key, outlet, "2024-05-14", title, body), language=lang)
        for key, outlet, lang, title, body in texts
    ]
    _add(store, arts)
    pipeline.run(store, settings, only=["cluster"])
    sid = story_of_article(store, "en-a")
    assert story_of_article(store, "uk-a") == sid == story_of_article(store, "en-b")
    view = get_story(store, sid)
    assert dict(view.languages) == {"en": 2, "uk": 1}
    assert view.language == "en"
    assert {s.article_id for s in view.summary} <= {"en-a", "en-b"}
    assert ("Ukrainska Pravda", "uk") in view.other_languages
    uk = get_story(store, sid, language="uk")
    assert uk.language == "uk" and [a.id for a in uk.articles] == ["uk-a"]
    assert uk.summary and all(s.article_id == "uk-a" for s in uk.summary)


def test_a_mixed_language_store_rebuilds_its_clusterer_and_keeps_joining(store, settings):
    """After a restart (the clusterer rebuilt from the database and its index file), a new
    Russian report still joins the English/Ukrainian story."""
    from dataclasses import replace

    from newsdesk.stages.cluster import index

    day = "2024-05-14"
    first = [
        ("en-a", "Reuters", "en", "Zelensky and Scholz meet in Kyiv over air defence",
         "Ukrainian President Volodymyr Zelensky met German Chancellor Olaf Scholz in Kyiv on "
         "Tuesday. They discussed air defence systems. Germany pledged 2.7 billion euros."),
        ("uk-a", "Ukrainska Pravda", "uk", "Зеленський і Шольц зустрілися у Києві",
         "Президент України Володимир Зеленський у вівторок зустрівся в Києві з канцлером "
         "Німеччини Олафом Шольцом. Вони обговорили системи ППО. Німеччина виділить 2.7 млрд євро."),
        ("en-x", "AP", "en", "Apple unveils a new iPhone in California",
         "Apple showed its new iPhone on Monday in Cupertino, California, with a faster chip "
         "and a better camera, priced from 799 dollars."),
    ]  # fmt: skip
    later = ("ru-a", "RBC", "ru", "Зеленский и Шольц встретились в Киеве",
             "Президент Украины Владимир Зеленский во вторник встретился в Киеве с канцлером "
             "Германии Олафом Шольцем. Они обсудили системы ПВО. Германия выделит 2.7 млрд евро.")  # fmt: skip
    _add(store, [replace(_article(k, o, day, t, b), language=lang) for k, o, lang, t, b in first])
    pipeline.run(store, settings, only=["cluster"])
    index.save_index(
        index.index_path(store, settings), index.ENGINES[str(store.engine.url)], _encoder()
    )
    index.ENGINES.clear()  # a new process
    k, o, lang, t, b = later
    _add(store, [replace(_article(k, o, day, t, b), language=lang)])
    pipeline.run(store, settings, only=["cluster"])
    sid = story_of_article(store, "en-a")
    assert story_of_article(store, "uk-a") == sid == story_of_article(store, "ru-a")
    assert story_of_article(store, "en-x") != sid


def _encoder():
    from newsdesk.nlp.embed import get_encoder

    return get_encoder()
