"""Revised articles: the same URL ingested again with changed text is a new version of the stored
article (its id kept, every text kept, its analysis redone), not a second article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, text, update
from typer.testing import CliRunner

from newsdesk import api
from newsdesk.cli import app
from newsdesk.settings import Settings
from newsdesk.store.schema import schema_migrations
from newsdesk.web.app import create_app

URL = "https://harbour.example/news/pier-closes"
FIRST = (
    "The harbour authority confirmed on Tuesday that the northern pier will close for repairs "
    "after inspectors found cracks in three of its concrete supports.\n\n"
    "Ferry services will move to the southern terminal until the work is finished, the "
    "authority said in a statement, adding that the closure could last several months."
)
SECOND = FIRST.replace("three of its", "five of its") + (
    '\n\n"We expect the pier to reopen in the spring," said Anna Berg, the harbour master. '
    "Repairs are estimated to cost 4 million euros."
)


def _jsonl(path: Path, *records: dict[str, object]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _rec(body: str, title: str = "Pier closes", url: str = URL) -> dict[str, object]:
    return {"url": url, "title": title, "text": body, "outlet": "Harbour Gazette"}


def _pending(store, article_id: str) -> set[str]:
    return {s.name for s in api.stages() if article_id in store.pending_ids(s.name, s.version)}


def test_changed_text_at_a_stored_url_is_a_new_version(tmp_path, store, settings):
    first = api.ingest(
        [_jsonl(tmp_path / "1.jsonl", _rec(FIRST))], store, settings, run_stages=False
    )
    [aid] = first.added_ids
    assert api.article_versions(store, aid)[0].version == 1  # never revised: one version
    again = api.ingest([_jsonl(tmp_path / "2.jsonl", _rec(SECOND, "Pier to close"))], store,
                       settings, run_stages=False)  # fmt: skip
    assert (again.added, again.revised, again.unchanged) == (0, 1, 0)
    assert again.revised_ids == [aid]
    assert store.count_articles() == 1
    a = api.show(store, aid)
    assert a.id == aid and a.text == SECOND and a.title == "Pier to close"
    assert "five" in a.text and a.word_count > len(FIRST.split())
    [v1, v2] = api.article_versions(store, aid)
    assert (v1.version, v1.text, v1.title) == (1, FIRST, "Pier closes")
    assert (v2.version, v2.text, v2.content_hash) == (2, SECOND, a.content_hash)
    assert v1.source.endswith("1.jsonl:1") and v2.source.endswith("2.jsonl:1")
    # the search index follows the new text
    assert [
        h.article_id for h in api.search(store, "Berg", mode="text", settings=settings).hits
    ] == [aid]
    # the same text again: already present, no third version
    same = api.ingest([_jsonl(tmp_path / "3.jsonl", _rec(SECOND, "Pier to close"))], store,
                      settings, run_stages=False)  # fmt: skip
    assert (same.added, same.revised, same.unchanged, same.known_ids) == (0, 0, 1, [aid])
    assert len(api.article_versions(store, aid)) == 2
    # and the first text once more (a revision taken back) is a third version
    back = api.ingest(
        [_jsonl(tmp_path / "4.jsonl", _rec(FIRST))], store, settings, run_stages=False
    )
    assert back.revised == 1 and api.show(store, aid).text == FIRST
    assert [v.version for v in api.article_versions(store, aid)] == [1, 2, 3]


def test_unchanged_reingest_makes_no_version(tmp_path, store, settings):
    path = _jsonl(tmp_path / "1.jsonl", _rec(FIRST))
    [aid] = api.ingest([path], store, settings, run_stages=False).added_ids
    again = api.ingest([path], store, settings, run_stages=False)
    assert (again.added, again.revised, again.unchanged) == (0, 0, 1)
    assert store.versions(aid) == []
    assert api.article_view(store, aid).revisions == 0


def test_two_texts_of_a_new_url_in_one_batch(tmp_path, store, settings):
    path = _jsonl(tmp_path / "1.jsonl", _rec(FIRST), _rec(SECOND))
    report = api.ingest([path], store, settings, run_stages=False)
    assert (report.added, report.revised) == (1, 1)
    assert store.count_articles() == 1
    [aid] = report.added_ids
    assert [v.text for v in store.versions(aid)] == [FIRST, SECOND]


def test_other_urls_stay_other_articles(tmp_path, store, settings):
    path = _jsonl(tmp_path / "1.jsonl", _rec(FIRST), _rec(SECOND, url=URL + "-update"))
    report = api.ingest([path], store, settings, run_stages=False)
    assert (report.added, report.revised) == (2, 0)


def test_the_near_duplicate_index_follows_the_new_text(tmp_path, store, settings):
    [aid] = api.ingest([_jsonl(tmp_path / "1.jsonl", _rec(FIRST))], store, settings,
                       run_stages=False).added_ids  # fmt: skip
    api.ingest([_jsonl(tmp_path / "2.jsonl", _rec(SECOND))], store, settings, run_stages=False)
    # a copy of the new text elsewhere is a near-duplicate of the revised article
    copy = SECOND.replace("Tuesday", "Wednesday")
    other = api.ingest([_jsonl(tmp_path / "3.jsonl", _rec(copy, url="https://wire.example/1"))],
                       store, settings, run_stages=False)  # fmt: skip
    assert other.near_duplicates == 1
    assert api.show(store, other.added_ids[0]).duplicate_of == aid


@pytest.mark.slow
def test_a_revision_is_analysed_again(tmp_path, settings):
    store = api.open_store(settings.db)
    [aid] = api.ingest([_jsonl(tmp_path / "1.jsonl", _rec(FIRST))], store, settings).added_ids
    assert _pending(store, aid) == set()
    assert not [q for q in api.article_view(store, aid).quotes if "spring" in q.text]
    before = api.article_view(store, aid)
    assert before.story is not None
    api.ingest([_jsonl(tmp_path / "2.jsonl", _rec(SECOND, "Pier to close"))], store, settings,
               run_stages=False)  # fmt: skip
    assert _pending(store, aid) == {s.name for s in api.stages()}  # every stage, again
    api.run(store, settings)
    assert _pending(store, aid) == set()
    after = api.article_view(store, aid)
    assert any("reopen in the spring" in q.text for q in after.quotes), after.quotes
    assert after.summary and any(s in SECOND for s in after.summary)
    assert after.story is not None and after.story.id == before.story.id  # it stays in its story
    assert api.story(store, after.story.id, settings).story.title == "Pier to close"
    assert after.revisions == 1
    store.close()


def test_article_page_and_changes_page(tmp_path, store, settings):
    [aid] = api.ingest([_jsonl(tmp_path / "1.jsonl", _rec(FIRST))], store, settings,
                       run_stages=False).added_ids  # fmt: skip
    client = TestClient(create_app(settings, store))
    assert "Revised" not in client.get(f"/article/{aid}").text
    hostile = SECOND + '\n\n<script>alert("x")</script> & <b>bold</b>'
    api.ingest([_jsonl(tmp_path / "2.jsonl", _rec(hostile, "Pier <i>to</i> close"))], store,
               settings, run_stages=False)  # fmt: skip
    page = client.get(f"/article/{aid}").text
    assert "Revised 1 time" in page and f'href="/article/{aid}/changes"' in page
    r = client.get(f"/article/{aid}/changes")
    assert r.status_code == 200
    html = r.text
    assert "<del>three </del><ins>five </ins>of its" in html
    assert "<ins>&lt;i&gt;" not in html and "Pier &lt;i&gt;to&lt;/i&gt; close" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "+Ferry" not in html and "-inspectors" not in html  # unchanged lines are context
    data = client.get(f"/article/{aid}/changes.json").json()
    assert (data["old"]["version"], data["new"]["version"]) == (1, 2)
    assert {"op": "-", "text": "three "} in data["words"] and data["removed_words"] == 1
    assert data["title_changed"] and data["added_words"] > 20
    assert "".join(w["text"] for w in data["words"] if w["op"] != "-").startswith(FIRST[:40])
    versions = client.get(f"/api/articles/{aid}/versions").json()
    assert versions["revisions"] == 1 and [v["text"] for v in versions["versions"]] == [
        FIRST,
        hostile,
    ]
    assert client.get(f"/article/{aid}/changes?old=1&new=3").status_code == 404
    assert client.get("/article/nope/changes").status_code == 404


def test_cli_show_versions_and_changes(tmp_path, settings):
    db = settings.db
    store = api.open_store(db)
    [aid] = api.ingest([_jsonl(tmp_path / "1.jsonl", _rec(FIRST))], store, settings,
                       run_stages=False).added_ids  # fmt: skip
    api.ingest([_jsonl(tmp_path / "2.jsonl", _rec(SECOND))], store, settings, run_stages=False)
    store.close()
    runner = CliRunner()
    shown = runner.invoke(app, ["show", aid[:8], "--db", db])
    assert shown.exit_code == 0 and "revised 1 time" in shown.output
    listed = runner.invoke(app, ["show", aid[:8], "--versions", "--json", "--db", db])
    assert [v["version"] for v in json.loads(listed.output)] == [1, 2]
    diff = runner.invoke(app, ["show", aid[:8], "--changes", "--db", db])
    assert diff.exit_code == 0, diff.output
    lines = diff.output.splitlines()
    assert "-" + FIRST.split("\n")[0] in lines
    assert "+" + SECOND.split("\n")[0] in lines and "five of its" in SECOND.split("\n")[0]
    assert " " + FIRST.split("\n")[2] in lines  # a line both have: context
    bad = runner.invoke(app, ["show", aid[:8], "--changes", "--from-version", "7", "--db", db])
    assert bad.exit_code == 1 and "no version 7" in bad.output


def test_a_store_from_before_versions_is_migrated(tmp_path):
    db = str(tmp_path / "old.db")
    store = api.open_store(db)
    with store.begin() as conn:  # as a store made before versions: core at 3, no table
        conn.execute(text("DROP TABLE article_versions"))
        conn.execute(text("DROP INDEX ix_articles_url"))
        conn.execute(
            update(schema_migrations)
            .where(schema_migrations.c.component == "core")
            .values(version=3)
        )
    store.close()
    store = api.open_store(db)
    settings = Settings.load(db=db)
    path = _jsonl(tmp_path / "1.jsonl", _rec(FIRST))
    [aid] = api.ingest([path], store, settings, run_stages=False).added_ids
    api.ingest([_jsonl(tmp_path / "2.jsonl", _rec(SECOND))], store, settings, run_stages=False)
    assert len(store.versions(aid)) == 2
    with store.begin() as conn:
        conn.execute(delete(schema_migrations))  # every step again: each is idempotent
    store.close()
    api.open_store(db).close()


def test_a_non_http_url_is_no_url_and_makes_no_versions(tmp_path, store, settings):
    """Two different texts under one ``javascript:`` "URL" are two articles, neither linked."""
    bad = "javascript:alert(99)"
    report = api.ingest(
        [_jsonl(tmp_path / "j.jsonl", _rec(FIRST, url=bad), _rec(SECOND, url=bad))],
        store, settings, run_stages=False,
    )  # fmt: skip
    assert (report.added, report.revised) == (2, 0)
    assert {api.show(store, i).url for i in report.added_ids} == {None}
    kept = api.ingest([_jsonl(tmp_path / "p.jsonl", _rec(FIRST, url="localhost:8080/pier"))],
                      store, settings, run_stages=False)  # fmt: skip
    assert api.show(store, kept.added_ids[0]).url  # host:port is not a scheme
