"""Threads: episodes of one long-running matter (the Istanbul talks of 2022 and of 2025)."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from newsdesk import pipeline
from newsdesk.cli import app
from newsdesk.models import Article
from newsdesk.nlp.sentences import sentence_spans
from newsdesk.nlp.tokens import content_hash
from newsdesk.stages.cluster import Cluster
from newsdesk.stages.cluster.tables import stories, story_articles
from newsdesk.stages.cluster.threads import Threads, add_links, merge_stories
from newsdesk.views.stories import get_story, story_of_article
from newsdesk.views.threads import list_threads
from tests.conftest import SEEDS


def _seed_articles() -> list[Article]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.append(
            Article(
                id=path.stem.split("_")[1][:20],
                source=str(path),
                text=text,
                title=next(line for line in text.splitlines() if len(line.split()) > 4),
                outlet=f"seed-{path.stem[:3]}",
                sentences=tuple(sentence_spans(text)),
                content_hash=content_hash(text),
            )
        )
    return out


def test_union_find():
    t = Threads()
    assert t.find(5) == 5
    t.union(5, 3)
    t.union(7, 5)
    assert t.find(7) == t.find(5) == t.find(3) == 3


def test_seeds_one_thread_two_stories(store, settings):
    """Done means: the two seeds land in ONE thread but NOT one story."""
    arts = _seed_articles()
    with store.begin() as conn:
        store.add_articles(conn, arts)
    pipeline.run(store, settings, only=["cluster"])
    a, b = (story_of_article(store, x.id) for x in arts)
    assert a is not None and b is not None and a != b
    threads = list_threads(store)
    assert len(threads) == 1
    assert {s.id for s in threads[0].stories} == {a, b}
    assert "Istanbul" in threads[0].label
    view = get_story(store, b)  # a story page shows its thread
    assert view.thread is not None and {s.id for s in view.thread.stories} == {a, b}
    # the JSONL filter path agrees
    recs = [{"id": x.id, "title": x.title, "text": x.text} for x in arts]
    outs = list(Cluster().filter(recs))
    assert outs[0]["story"] != outs[1]["story"]
    assert outs[0]["thread"] == outs[1]["thread"]
    res = CliRunner().invoke(app, ["threads", "--json", "--db", settings.db])
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)) == 1


def test_no_threads_in_an_empty_store(store):
    assert list_threads(store) == []


def test_links_and_merges_keep_threads_consistent(store):
    with store.begin() as conn:
        conn.execute(
            stories.insert(),
            [{"id": i, "articles": 0, "outlets": 0, "thread_id": i} for i in (1, 2, 3, 4)],
        )
        store.add_articles(
            conn,
            [
                Article(id=f"a{i}", source="t", text=f"text {i}", content_hash=f"h{i}")
                for i in (1, 2, 3, 4)
            ],
        )
        conn.execute(
            story_articles.insert(),
            [
                {"article_id": f"a{i}", "story_id": i, "position": i - 1, "score": 1.0}
                for i in (1, 2, 3, 4)
            ],
        )
        add_links(conn, [(2, 1, 0.7), (1, 2, 0.8), (4, 4, 0.9)])  # duplicate pair, self link
        threads = dict(conn.execute(select(stories.c.id, stories.c.thread_id)).all())
        assert threads == {1: 1, 2: 1, 3: 3, 4: 4}
        add_links(conn, [(4, 3, 0.7)])
        merge_stories(conn, 3, 2)  # story 3 was part of story 2: its thread joins 2's
        threads = dict(conn.execute(select(stories.c.id, stories.c.thread_id)).all())
        assert threads == {1: 1, 2: 1, 4: 1}
        moved = dict(
            conn.execute(select(story_articles.c.article_id, story_articles.c.story_id)).all()
        )
        assert moved["a3"] == 2


def test_ingested_seeds_one_thread_two_stories(store, settings, seed_paths):
    """The same through the real ingest: cleaning moves the 2025 date into a caption."""
    from newsdesk import api

    report = api.ingest([str(p) for p in seed_paths], store, settings, run_stages=False)
    assert report.added == 2, report.errors
    pipeline.run(store, settings, only=["cluster"])
    a, b = (story_of_article(store, i) for i in report.added_ids)
    assert a is not None and b is not None and a != b
    (thread,) = list_threads(store)
    assert {s.id for s in thread.stories} == {a, b}
