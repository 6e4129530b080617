"""People and organizations: titles, appositions, speaker resolution, merging, dossiers."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from newsdesk import api, pipeline
from newsdesk.cli import app
from newsdesk.errors import NotFound
from newsdesk.nlp.names import analyse_mention, person_key, same_person, titled_names
from newsdesk.nlp.ner import entities
from newsdesk.stages.cluster.tables import story_articles
from newsdesk.stages.entities.people import article_entities
from newsdesk.stages.entities.tables import find_person, person_aliases
from newsdesk.stages.quotes.speakers import resolve_speakers
from newsdesk.stages.quotes.tables import quotes_table
from newsdesk.store.schema import articles, schema_migrations
from newsdesk.views.people import people, person
from tests.conftest import SEEDS
from tests.stages.test_quotes import seed_jsonl


# -- mentions -------------------------------------------------------------------------------------
def test_empty_mention():
    m = analyse_mention("")
    assert m.name is None and m.role is None


@pytest.mark.parametrize(
    ("mention", "name", "role", "org"),
    [
        ("Turkish Foreign Minister Hakan Fidan", "Hakan Fidan", "Foreign Minister", "Turkey"),
        (
            "Ukraine’s Deputy Foreign Minister Serhiy Kyslytsia",
            "Serhiy Kyslytsia",
            "Deputy Foreign Minister",
            "Ukraine",
        ),
        (
            "Nick Witney, a senior fellow at the European Council on Foreign Relations",
            "Nick Witney",
            "senior fellow at the European Council on Foreign Relations",
            "European Council on Foreign Relations",
        ),
        ("Sen. Ted Cruz", "Ted Cruz", "Senator", None),
        ("the Ukrainian foreign minister", None, "foreign minister", "Ukraine"),
    ],
)
def test_names_roles_and_countries_from_titles_and_appositions(mention, name, role, org):
    m = analyse_mention(mention)
    assert (m.name, m.role, m.org) == (name, role, org)


def test_pronoun_and_organization_mentions():
    assert analyse_mention("he").pronoun
    assert analyse_mention("The New York Post").is_org


def test_titled_names_in_seed_000():
    text = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    found = {(n, r, o) for n, r, o, _ in titled_names(text)}
    assert ("Hakan Fidan", "Foreign Minister", "Turkey") in found
    assert ("Serhiy Kyslytsia", "Deputy Foreign Minister", "Ukraine") in found
    assert ("Sergey Lavrov", "Foreign Minister", "Russia") in found


# -- resolution within an article ----------------------------------------------------------------
def _q(text: str, speaker: str, cue: str, content: str, start: int = 0) -> dict:
    s = text.index(speaker, start) if speaker else None
    c = text.index(cue, start)
    k = text.index(content)
    return {
        "content": [[k, k + len(content)]],
        "cue": [c, c + len(cue)],
        "speaker": [s, s + len(speaker)] if speaker else None,
        "speaker_name": None,
        "role": None,
        "kind": "reported",
    }


def test_pronoun_surname_and_role_noun_resolution():
    text = (
        "Russian Foreign Minister Sergei Lavrov said talks were over. He added that nothing changed.\n\n"
        "Lavrov insisted the West was to blame. The minister said sanctions failed."
    )
    qs = [
        _q(text, "Russian Foreign Minister Sergei Lavrov", "said", "talks were over"),
        _q(text, "He", "added", "nothing changed"),
        _q(text, "Lavrov", "insisted", "the West was to blame", text.index("\n\n")),
        _q(text, "The minister", "said", "sanctions failed", text.index("The minister")),
    ]
    resolve_speakers(text, qs)
    assert [q["speaker_name"] for q in qs] == ["Sergei Lavrov"] * 4
    assert all(q["role"] == "Foreign Minister" for q in qs)
    assert all(q["org"] == "Russia" for q in qs)


def test_quote_without_speaker_takes_previous_paragraphs_speaker():
    text = "Kyslytsia said the talks failed.\n\n“We never reached that point.”"
    qs = [_q(text, "Kyslytsia", "said", "the talks failed")]
    k = text.index("“We")
    qs.append(
        {
            "content": [[k, len(text)]],
            "cue": None,
            "speaker": None,
            "speaker_name": None,
            "role": None,
            "kind": "direct",
        }
    )
    resolve_speakers(text, qs)
    assert qs[1]["speaker_name"] == "Kyslytsia"


# -- merging across articles -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Sergey Lavrov", "Sergei Lavrov", True),
        ("Lavrov", "Sergey Lavrov", True),
        ("S. Lavrov", "Sergey Lavrov", True),
        ("Bill Clinton", "Hillary Clinton", False),
        ("Sergey Lavrov", "Sergey Shoigu", False),
    ],
)
def test_name_variants(a, b, same):
    assert same_person(a, b) is same


def test_person_key_is_stable_across_variants():
    assert person_key("Sergey Lavrov") == person_key("Sergei Lavrov") == "lavrov-s"


def _article_jsonl(tmp_path, rows):
    path = tmp_path / "articles.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def test_people_merged_across_articles_with_dossier(store, settings, tmp_path):
    rows = [
        {
            "url": "https://example.org/a",
            "title": "Lavrov on talks",
            "published": datetime(2025, 7, 1, tzinfo=UTC).isoformat(),
            "text": "Russian Foreign Minister Sergey Lavrov said the talks in Istanbul were useful. "
            "Turkish Foreign Minister Hakan Fidan said the next round would follow soon.",
        },
        {
            "url": "https://example.org/b",
            "title": "Lavrov again",
            "published": datetime(2025, 8, 1, tzinfo=UTC).isoformat(),
            "text": "“We are ready for a new round of talks,” Russian Foreign Minister Sergei Lavrov "
            "told reporters on Friday. Lavrov said that Moscow would send the same delegation.",
        },
    ]
    report = api.ingest([str(_article_jsonl(tmp_path, rows))], store, settings, run_stages=False)
    assert report.ok and report.added == 2
    pipeline.run(store, settings, only=["quotes", "entities"])
    listed = people(store)
    lavrovs = [p for p in listed if "Lavrov" in p.name]
    assert len(lavrovs) == 1
    d = person(store, "Sergei Lavrov")
    assert d.id == lavrovs[0].id == person(store, "lavrov-s").id
    assert {"Sergey Lavrov", "Sergei Lavrov"} == {d.name, *d.aliases}
    assert len(d.articles) == 2
    assert d.roles[0].role == "Foreign Minister"
    dates = [q.quote.published for q in d.quotes]
    assert len(dates) >= 2 and dates == sorted(dates)
    assert any(m.name == "Hakan Fidan" for m in d.mentioned_with)
    with pytest.raises(NotFound):
        person(store, "Nobody Atall")


def test_people_and_person_cli(store, settings, tmp_path):
    report = api.ingest([str(seed_jsonl(tmp_path))], store, settings, run_stages=False)
    assert report.ok
    pipeline.run(store, settings, only=["quotes", "entities"])
    runner = CliRunner()
    res = runner.invoke(app, ["people", "--db", settings.db, "--json"])
    assert res.exit_code == 0, res.output
    names = [p["name"] for p in json.loads(res.stdout)["people"]]
    assert names[0] == "Serhiy Kyslytsia"
    res = runner.invoke(app, ["person", "Kyslytsia", "--db", settings.db, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert len(d["quotes"]) >= 3
    assert d["roles"][0]["role"] == "Deputy Foreign Minister"
    res = runner.invoke(app, ["person", "Nobody Atall", "--db", settings.db])
    assert res.exit_code == 1
    res = runner.invoke(app, ["quotes", "--speaker", "Kyslytsia", "--db", settings.db, "--json"])
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)["quotes"]) >= 3


def _ingest(store, settings, tmp_path, texts):
    rows = [
        {
            "url": f"https://example.org/{hashlib.sha1(text.encode()).hexdigest()[:12]}",
            "title": f"Article {n}",
            "published": datetime(2025, 7, 1 + n, tzinfo=UTC).isoformat(),
            "text": text,
        }
        for n, text in enumerate(texts)
    ]
    report = api.ingest([str(_article_jsonl(tmp_path, rows))], store, settings, run_stages=False)
    assert report.ok and report.added == len(texts)
    with store.connect() as conn:
        return list(conn.scalars(select(articles.c.id).order_by(articles.c.published)))


def _quote_speakers(store):
    with store.connect() as conn:
        return [(r.speaker_name, r.entity_id) for r in conn.execute(select(quotes_table))]


def test_a_lone_surname_joins_the_one_full_name_in_the_store(store, settings, tmp_path):
    """ "President Biden" and "Mr. Biden" in one article, "Joe Biden" in another: one person,
    whose page holds both articles and whose quotes name him in full."""
    _ingest(store, settings, tmp_path, [
        "Joe Biden met governors at the White House on Wednesday. Biden later flew to Delaware.",
        "President Biden said on Tuesday that the bill would pass. “We have the votes,” Mr. "
        "Biden told reporters in Delaware.",
    ])  # fmt: skip
    pipeline.run(store, settings, only=["quotes", "entities"])
    bidens = [p for p in people(store) if "Biden" in p.name]
    assert [(p.name, p.articles) for p in bidens] == [("Joe Biden", 2)]
    d = person(store, "Biden")
    assert d.name == "Joe Biden" and len(d.articles) == 2
    assert d.quotes and {q.quote.speaker_name for q in d.quotes} == {"Joe Biden"}


def test_a_surname_two_people_share_stays_apart(store, settings, tmp_path):
    """Two Johnsons: a lone "Johnson" is neither, in the article and in the store."""
    _ingest(store, settings, tmp_path, [
        "Boris Johnson and Mike Johnson met in London on Thursday. “This was a good day,” "
        "Johnson said after the talks.",
        "“We will not back down,” Johnson told reporters on Friday.",
    ])  # fmt: skip
    pipeline.run(store, settings, only=["quotes", "entities"])
    johnsons = {p.name: p for p in people(store) if "Johnson" in p.name}
    assert {"Boris Johnson", "Mike Johnson"} <= set(johnsons)
    assert johnsons["Boris Johnson"].quotes == johnsons["Mike Johnson"].quotes == 0
    assert {s for s, _ in _quote_speakers(store)} == {"Johnson"}


def test_the_story_resolves_a_surname_the_store_finds_ambiguous(store, settings, tmp_path):
    """The store knows Joe and Jill Biden; within a story naming only Joe Biden, a lone
    "President Biden" is Joe; in an article of no story it stays apart."""
    ids = _ingest(store, settings, tmp_path, [
        "Joe Biden and Jill Biden visited a school in Delaware on Monday.",
        "Joe Biden met governors at the White House on the infrastructure bill.",
        "President Biden said on Tuesday that the infrastructure bill would pass.",
        "President Biden said on Friday that the summit had gone well.",
    ])  # fmt: skip
    pipeline.run(store, settings, only=["quotes"])
    with store.begin() as conn:  # articles 2 and 3 as one story (as the cluster stage would)
        conn.execute(story_articles.insert(), [
            {"article_id": ids[1], "story_id": 7, "position": 0, "score": 1.0},
            {"article_id": ids[2], "story_id": 7, "position": 1, "score": 1.0},
        ])  # fmt: skip
    pipeline.run(store, settings, only=["entities"])
    joe = person(store, "Joe Biden")
    assert {m.id for m in joe.articles} == set(ids[:3])
    lone = person(store, "Biden")
    assert lone.name == "Biden" and [m.id for m in lone.articles] == [ids[3]]
    assert person(store, "Jill Biden").id not in {joe.id, lone.id}


def test_a_full_name_does_not_join_through_a_one_word_alias(store, settings, tmp_path):
    """Joe Biden is also stored as "Biden" (a lone "Mr. Biden" resolved to him); a later
    Hunter Biden is someone else, and "Biden" is ambiguous from then on."""
    _ingest(store, settings, tmp_path, [
        "Joe Biden met governors on Monday. Biden later flew to Delaware.",
        "“We have the votes,” Mr. Biden told reporters in Delaware on Tuesday.",
    ])  # fmt: skip
    pipeline.run(store, settings, only=["quotes", "entities"])
    joe = person(store, "Joe Biden")
    assert "Biden" in joe.aliases and len(joe.articles) == 2
    (tmp_path / "later").mkdir()
    _ingest(
        store,
        settings,
        tmp_path / "later",
        ["“I did nothing wrong,” Hunter Biden told the House committee on Wednesday."],
    )
    pipeline.run(store, settings, only=["quotes", "entities"])
    assert person(store, "Hunter Biden").id != joe.id
    assert len(person(store, "Joe Biden").articles) == 2


def test_a_store_from_before_the_alias_indexes_is_migrated(store, settings, tmp_path):
    """Entities version 1 had no ``last_word`` column and no index on aliases: the migration fills
    the column, lookups by name go through the indexes, and a lone surname still resolves."""
    _ingest(store, settings, tmp_path, ["Joe Biden met governors at the White House on Monday."])
    pipeline.run(store, settings, only=["quotes", "entities"])
    with store.begin() as conn:  # as a store made before entities version 2
        conn.execute(text("DROP INDEX ix_person_aliases_alias"))
        conn.execute(text("DROP INDEX ix_person_aliases_last_word"))
        conn.execute(text("ALTER TABLE person_aliases DROP COLUMN last_word"))
        conn.execute(
            update(schema_migrations)
            .where(schema_migrations.c.component == "entities")
            .values(version=1)
        )
    store.close()
    store = api.open_store(settings.db)
    with store.begin() as conn:
        rows = conn.execute(select(person_aliases.c.alias, person_aliases.c.last_word)).all()
        assert ("joe biden", "biden") in rows
        for column, value in (("alias", "joe biden"), ("last_word", "biden")):
            plan = " ".join(
                str(r[-1])
                for r in conn.execute(
                    text(f"EXPLAIN QUERY PLAN SELECT person_id FROM person_aliases "
                         f"WHERE {column} = :v"), {"v": value}
                )
            )  # fmt: skip
            assert f"ix_person_aliases_{column}" in plan, plan
        assert find_person(conn, "Biden") == find_person(conn, "Joe Biden") is not None
    store.close()


def test_an_acronym_joins_its_organization_in_the_article_and_across_the_store(
    store, settings, tmp_path
):
    """ "FDA" alone in one article, beside "Food and Drug Administration" in the next, and
    "Labor Department" / "Department of Labor": one organization each, named in full."""
    _ingest(store, settings, tmp_path, [
        "The FDA approved the booster on Monday. Officials at the FDA said more data would come.",
        "The U.S. Food and Drug Administration met on Tuesday. The FDA said the shot was safe.",
        "The Labor Department said 200,000 jobs were added in March.",
        "The Department of Labor revised its figures on Friday.",
    ])  # fmt: skip
    pipeline.run(store, settings, only=["quotes", "entities"])
    orgs = {(o.name, o.articles) for o in people(store, kind="org")}
    assert ("U.S. Food and Drug Administration", 2) in orgs, orgs
    assert not {n for n, _ in orgs} & {"FDA", "Food and Drug Administration"}
    assert ("Department of Labor", 2) in orgs or ("Labor Department", 2) in orgs, orgs
    assert person(store, "FDA").name == "U.S. Food and Drug Administration"


@pytest.mark.parametrize(
    ("text", "merged"),
    [
        ("The Centers for Disease Control and Prevention said the CDC would act.", True),
        ("The Associated Press said AP staff saw it.", True),
        # two names with one acronym: it stays apart
        (
            "The Food and Drug Administration and the Federal Deposit Authority met. FDA agreed.",
            False,
        ),
        ("The National Rifle Association met NASA officials.", False),
    ],
)
def test_acronyms_join_only_the_one_name_they_abbreviate(text, merged):
    entries = article_entities(text, entities(text))
    assert any(e.aliases for e in entries) is merged, [(e.name, e.aliases) for e in entries]
