"""The positions map through the store: the seeds as one thread, the CLI, the web page and its twin."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsdesk import api
from newsdesk.errors import NotFound
from newsdesk.views.positions import parse_ref, to_csv, to_markdown
from newsdesk.views.threads import list_threads


@pytest.fixture
def seeded(store, settings, seed_paths):
    report = api.ingest([str(p) for p in seed_paths], store, settings)
    assert report.added == 2, report.errors
    (thread,) = list_threads(store)
    return store, settings, thread


def _row(m, *words):
    (row,) = [r for r in m["issues"] if all(w in r["label"].lower() for w in words)]
    return row


def test_parse_ref():
    assert parse_ref("12") == ("story", 12)
    assert parse_ref("story:12") == ("story", 12)
    assert parse_ref("thread:3") == ("thread", 3)
    assert parse_ref("t3") == ("thread", 3)
    with pytest.raises(NotFound):
        parse_ref("yesterday")


def test_thread_map_of_the_seeds(seeded):
    # The same four golden cells as tests/stages/test_positions.py (reasons written there), now
    # from the claims the stage stored, over the thread of the two seed stories.
    store, settings, thread = seeded
    m = api.positions(store, f"thread:{thread.id}", settings=settings)
    assert m["kind"] == "thread" and len(m["stories"]) == 2
    assert {"Russia", "Ukraine"} <= set(m["parties"])
    assert _row(m, "two-hour pause")["cells"]["Russia"]["stance"] == "supports"
    assert _row(m, "ceasefire")["cells"]["Russia"]["stance"] == "rejects"
    assert _row(m, "demilitarization")["cells"]["Russia"]["stance"] == "supports"
    istanbul = _row(m, "istanbul")
    assert istanbul["cells"]["Ukraine"]["stance"] == "rejects"
    for row in (istanbul, _row(m, "two-hour pause")):
        assert row["class"] == "grey zone"  # only one party heard (see the stage test)
    # every cell with a stance has dated evidence from a stored article
    for row in m["issues"]:
        for cell in row["cells"].values():
            if cell["stance"] != "no position found":
                assert cell["evidence"] and all(e["article_id"] for e in cell["evidence"])


def test_story_map_and_as_of(seeded):
    store, settings, thread = seeded
    story = thread.stories[0].id
    m = api.positions(store, str(story), settings=settings)
    assert m["kind"] == "story" and m["stories"] == [story]
    # the ingested seeds carry no publication date: undated claims count on every date
    # (dated filtering is tested in tests/stages/test_positions.py::test_as_of_and_since)
    dated = api.positions(store, str(story), as_of="1990-01-01", settings=settings)
    assert [r["id"] for r in dated["issues"]] == [r["id"] for r in m["issues"]]


def test_briefing_and_csv(seeded):
    store, settings, thread = seeded
    m = api.positions(store, f"thread:{thread.id}", settings=settings)
    md = to_markdown(m)
    assert "| issue | class |" in md and "## Grey zone" in md
    assert "agreed to discuss" in md  # the cell's quote is in the briefing
    lines = to_csv(m).splitlines()
    assert lines[0].startswith("issue,label,class,party,stance")
    assert len(lines) == 1 + len(m["issues"]) * len(m["parties"])


def test_unknown_story_is_not_found(store):
    with pytest.raises(NotFound):
        api.positions(store, "story:999")


def test_cli_positions(seeded):
    from newsdesk.cli import app

    _store, settings, thread = seeded
    runner = CliRunner()
    res = runner.invoke(app, ["positions", f"thread:{thread.id}", "--db", settings.db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["kind"] == "thread"
    res = runner.invoke(
        app, ["positions", f"thread:{thread.id}", "--db", settings.db, "--format", "md"]
    )
    assert res.exit_code == 0 and "two-hour pause" in res.output
    res = runner.invoke(app, ["positions", "story:999", "--db", settings.db])
    assert res.exit_code == 1 and "no story 999" in res.output


def test_web_positions_page(seeded):
    from fastapi.testclient import TestClient

    from newsdesk.web.app import create_app

    store, settings, thread = seeded
    client = TestClient(create_app(settings, store=store))
    page = client.get(f"/thread/{thread.id}/positions")
    assert page.status_code == 200
    html = page.text
    assert 'class="positions-grid"' in html and 'class="legend"' in html
    assert "<details>" in html  # evidence on click, without a script
    assert "As a list" in html and "agreed to discuss" in html
    twin = client.get(f"/thread/{thread.id}/positions.json")
    assert twin.status_code == 200 and twin.json()["kind"] == "thread"
    story = thread.stories[0].id
    assert f"/story/{story}/positions" in client.get(f"/story/{story}").text
    assert client.get("/thread/999/positions").status_code == 404
    assert client.get(f"/thread/{thread.id}/positions?as_of=yesterday").status_code == 422


def test_rebuild_positions_applies_a_user_party_table(seeded, tmp_path):
    # a user table that drops Russia: after the rebuild, no Russian cell is left
    store, settings, thread = seeded
    user = tmp_path / "parties.toml"
    user.write_text("[russia]\ndrop = true\n", encoding="utf-8")
    from dataclasses import replace

    mine = replace(settings, parties_file=str(user))
    assert api.rebuild_positions(store, mine) == 2
    m = api.positions(store, f"thread:{thread.id}", settings=mine)
    assert "Russia" not in m["parties"] and "Ukraine" in m["parties"]


def test_person_page_links_the_maps_of_their_claims(seeded):
    # Kyslytsia speaks for Ukraine in the seeds (his words are the Istanbul cell's evidence): his
    # page lists the story's positions map, for Ukraine.
    from fastapi.testclient import TestClient

    from newsdesk.web.app import create_app

    store, settings, thread = seeded
    m = api.positions(store, f"thread:{thread.id}", settings=settings)
    actors = {
        ev["actor"]
        for row in m["issues"]
        for cell in row["cells"].values()
        for ev in cell["evidence"]
        if ev.get("actor") and "Kyslytsia" in ev["actor"]
    }
    assert actors, "the seeds' map quotes Kyslytsia"
    d = api.person(store, "Serhiy Kyslytsia")
    found = api.person_positions(store, d)
    assert found and {p["party"] for p in found} == {"Ukraine"}
    assert {p["story"] for p in found} <= {s.id for s in thread.stories}
    client = TestClient(create_app(settings, store=store))
    page = client.get(f"/person/{d.id}").text
    assert f"/story/{found[0]['story']}/positions" in page and "for Ukraine" in page
    # Lavrov speaks for Russia; a name no claim's actor holds lists nothing
    lavrov = api.person_positions(store, api.person(store, "Sergey Lavrov"))
    assert lavrov and {p["party"] for p in lavrov} == {"Russia"}
    from dataclasses import replace

    assert api.person_positions(store, replace(d, name="Nobody Heard", aliases=())) == []
