"""Paper cuts a new user hit (issue 19): filters go on past bad lines, nouns agree with their
numbers, --outlet takes any case or a unique part of the name."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsdesk import api
from newsdesk.cli import app
from newsdesk.cli.common import counted
from newsdesk.settings import Settings
from newsdesk.web.app import _count

runner = CliRunner()

PAGE = (
    "Harbour news\n\nThe harbour authority confirmed on Tuesday that the northern pier will close "
    "for repairs after inspectors found cracks in its supports. Ferry services move south."
)


def test_a_filter_reports_bad_lines_and_goes_on():
    lines = [
        json.dumps({"id": "a", "text": PAGE}),
        '{"id": "broken", "text": ',
        json.dumps({"id": "no-text", "title": "only a title"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "b", "text": PAGE}),
    ]
    r = runner.invoke(app, ["clean", "-"], input="\n".join(lines) + "\n")
    assert r.exit_code == 1  # something was skipped
    out = [json.loads(ln) for ln in r.stdout.splitlines() if ln.startswith("{")]
    assert [o["id"] for o in out] == ["a", "b"]  # both good records, after the bad ones
    assert "stdin line 2: not JSON" in r.stderr
    assert 'stdin line 3: no "text" string' in r.stderr
    assert "stdin line 4: not a JSON object" in r.stderr
    assert "3 lines skipped" in r.stderr


@pytest.mark.parametrize(
    "argv",
    [["summarize", "-"], ["quotes", "-"], ["embed", "-"], ["entities", "-"], ["cluster", "-"]],
)
def test_every_filter_reports_a_record_without_text_and_goes_on(argv):
    # the paper cut: a record without "text" gave an empty result and exit 0
    lines = [
        json.dumps({"id": "no-text", "title": "only a title"}),
        "not json",
        json.dumps({"id": "b", "text": PAGE}),
    ]
    r = runner.invoke(app, argv, input="\n".join(lines) + "\n")
    assert r.exit_code == 1, r.output
    assert 'stdin line 1: no "text" string' in r.stderr
    assert "stdin line 2: not JSON" in r.stderr
    assert '"b"' in r.stdout  # the good record after the bad ones


def test_a_batching_filter_writes_its_results_before_exiting_1():
    # cluster and positions read all of stdin before writing: the skipped lines' exit came
    # first and nothing was written
    good = [json.dumps({"id": i, "text": PAGE}) for i in ("a", "b")]
    for argv in (["cluster", "-"], ["positions", "-"]):
        r = runner.invoke(app, argv, input="\n".join([good[0], "not json", good[1]]) + "\n")
        assert r.exit_code == 1 and "1 line skipped" in r.stderr, (argv, r.output)
        out = [json.loads(ln) for ln in r.stdout.splitlines() if ln.startswith("{")]
        assert out, argv
        if argv[0] == "cluster":
            assert [o["id"] for o in out] == ["a", "b"]


def test_nouns_agree_with_their_numbers():
    assert [counted(n, "article") for n in (0, 1, 2)] == ["0 articles", "1 article", "2 articles"]
    assert counted(1, "story") == "1 story" and counted(3, "story") == "3 stories"
    assert _count(1, "result") == "1 result" and _count(2, "result") == "2 results"


def test_outlet_takes_any_case_or_a_unique_part(tmp_path):
    db = str(tmp_path / "o.db")
    store = api.open_store(db)
    docs = tmp_path / "docs.jsonl"
    with docs.open("w", encoding="utf-8") as fh:
        for n, outlet in enumerate(["The Guardian", "The Times", "Times of India"]):
            text = f"Story {n}. " + PAGE.replace("Tuesday", f"day {n}") + f" Item {n} of {outlet}."
            fh.write(
                json.dumps({"url": f"https://e{n}.example/a", "outlet": outlet, "text": text})
                + "\n"
            )
    assert api.ingest([str(docs)], store, Settings.load(db=db), run_stages=False).added == 3
    assert api.resolve_outlet(store, "the guardian") == "The Guardian"
    assert api.resolve_outlet(store, "guard") == "The Guardian"
    assert api.resolve_outlet(store, "THE TIMES") == "The Times"  # exact (any case) wins
    store.close()
    r = runner.invoke(app, ["articles", "--outlet", "guardian", "--json", "--db", db])
    assert r.exit_code == 0 and [a["outlet"] for a in json.loads(r.stdout)] == ["The Guardian"]
    r = runner.invoke(app, ["articles", "--outlet", "times", "--db", db])
    assert r.exit_code == 1 and "matches 2 outlets" in r.output
    r = runner.invoke(app, ["articles", "--outlet", "nowhere", "--db", db])
    assert r.exit_code == 1 and "no outlet matches" in r.output


def test_a_bad_query_parameter_on_a_page_is_an_error_page_not_raw_json(tmp_path):
    from fastapi.testclient import TestClient

    from newsdesk.web.app import create_app

    db = str(tmp_path / "w.db")
    store = api.open_store(db)
    client = TestClient(create_app(Settings.load(db=db), store=store))
    r = client.get("/articles?page=abc")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "bad request (page:" in r.text and "<html" in r.text.lower()
    r = client.get("/articles.json?page=abc")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json")
    assert client.get("/api/articles?page=abc").json()["detail"][0]["loc"][-1] == "page"
    store.close()


def test_a_private_ui_has_a_login(tmp_path):
    from fastapi.testclient import TestClient

    from newsdesk.web.app import create_app

    db = str(tmp_path / "p.db")
    store = api.open_store(db)
    settings = Settings.load(db=db, public_reads=False, api_token="s3cret-token")
    client = TestClient(create_app(settings, store=store), follow_redirects=False)
    r = client.get("/")
    assert r.status_code == 401 and 'href="/login"' in r.text
    form = client.get("/login")
    assert form.status_code == 200 and 'name="token"' in form.text
    bad = client.post(
        "/login",
        content="token=wrong",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert bad.status_code == 401 and "newsdesk_token" not in bad.headers.get("set-cookie", "")
    ok = client.post(
        "/login",
        content="token=s3cret-token",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    cookie = ok.headers["set-cookie"]
    assert "newsdesk_token=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/").status_code == 200  # the cookie now reads the pages
    store.close()
