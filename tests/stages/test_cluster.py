"""Story clustering: features, hard cases, batches and average link, the stage on a store, rebuild."""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk import pipeline
from newsdesk.api import recluster
from newsdesk.cli import app
from newsdesk.errors import NotFound
from newsdesk.models import Article
from newsdesk.nlp.sentences import sentence_spans
from newsdesk.nlp.tokens import content_hash
from newsdesk.stages.cluster import Cluster, clusterer, index, tables
from newsdesk.stages.cluster.features import numbers, proper_nouns
from newsdesk.stages.cluster.index import index_path
from newsdesk.views.stories import get_story, list_stories, story_of_article

# Two reports of each event, from different outlets, plus look-alike events.
CORPUS = [
    ("apple-a", "Reuters", "2024-05-03", "Apple shares rise 6% after record iPhone sales",
     "Apple shares rose 6% on Friday after the company reported record iPhone sales in China. "
     "Chief executive Tim Cook said demand in Shanghai and Beijing beat forecasts."),
    ("tesla-a", "Reuters", "2024-05-03", "Tesla shares fall 4% after weak deliveries",
     "Tesla shares fell 4% on Friday after the carmaker reported weak deliveries in Europe. "
     "Elon Musk said factories in Berlin and Austin would slow production."),
    ("quake-chile-a", "AP", "2024-05-04", "Magnitude 6.1 earthquake strikes Chile",
     "A magnitude 6.1 earthquake struck northern Chile near Antofagasta on Saturday, "
     "the Chilean national emergency office Senapred said. Buildings shook in Calama."),
    ("apple-b", "Bloomberg", "2024-05-03", "Apple stock jumps on iPhone demand in China",
     "Apple stock jumped 6% as record iPhone sales in China lifted results, Tim Cook told "
     "analysts. Stores in Shanghai and Beijing reported strong demand."),
    ("quake-japan-a", "AP", "2024-05-04", "Magnitude 5.8 earthquake strikes Japan",
     "A magnitude 5.8 earthquake struck Hokkaido in northern Japan on Saturday, the Japan "
     "Meteorological Agency said. Buildings shook in Sapporo."),
    ("tesla-b", "Bloomberg", "2024-05-03", "Tesla stock slides as European deliveries drop",
     "Tesla stock slid 4% after deliveries in Europe dropped, and Elon Musk said the Berlin "
     "and Austin factories would slow production."),
    ("quake-chile-b", "Reuters", "2024-05-04", "Strong quake shakes northern Chile",
     "A strong 6.1 magnitude quake shook Antofagasta in northern Chile, Senapred said, "
     "and residents of Calama left buildings."),
    ("quake-japan-b", "Reuters", "2024-05-04", "Quake rattles Hokkaido, Japan",
     "A 5.8 magnitude quake rattled Hokkaido, the Japan Meteorological Agency said, and "
     "residents of Sapporo left buildings."),
]  # fmt: skip


def records():
    return [
        {"id": key, "outlet": outlet, "published": day, "title": title, "text": body}
        for key, outlet, day, title, body in CORPUS
    ]


def stories_by_key(outs):
    return {o["id"]: o["story"] for o in outs}


# -- features ----------------------------------------------------------------------------------
def test_empty_inputs():
    assert proper_nouns("") == []
    assert numbers("") == []
    assert list(Cluster().filter([])) == []


def test_proper_nouns_skip_sentence_starts_and_headline_case():
    text = (
        "Russia Never Intended Real Peace Talks. However, the talks in Istanbul went on. "
        "The Bank of England held rates, Hakan Fidan said. Earlier, Russia said no."
    )
    names = set(proper_nouns(text))
    assert {"russia", "istanbul", "bank of england", "hakan fidan"} <= names
    assert not names & {
        "however",
        "earlier",
        "the",
        "talks",
        "russia never intended real peace talks",
    }


def test_numbers():
    assert numbers("6.1 magnitude, 1,200 people, 4% and 2025; 7 days") == ["6.1", "1200", "2025"]


# -- hard cases ----------------------------------------------------------------------------------
def test_shares_rose_fell_and_same_event_in_two_places():
    s = stories_by_key(Cluster().filter(records()))
    # each event's two reports form one story ...
    for event in ("apple", "tesla", "quake-chile", "quake-japan"):
        assert s[f"{event}-a"] == s[f"{event}-b"], event
    # ... and look-alikes stay apart: shares up vs down at two companies, a quake in two places
    assert len({s["apple-a"], s["tesla-a"], s["quake-chile-a"], s["quake-japan-a"]}) == 4


def test_time_gap_splits_episodes():
    recs = [*records()[:1], dict(records()[3], published="2024-09-20")]
    s = stories_by_key(Cluster().filter(recs))
    assert s["apple-a"] != s["apple-b"]


def test_clear_cases_do_not_depend_on_batch_size():
    recs = records()

    def stories(batch_size):  # scores move a little (document frequencies count per batch)
        return [
            (o["id"], o["story"], o["new_story"], o["thread"])
            for o in Cluster(batch_size=batch_size).filter(recs)
        ]

    assert stories(1) == stories(3) == stories(1000)


def test_average_link_joins_groups_and_stories():
    import numpy as np

    from newsdesk.stages.cluster.linkage import average_link

    inf = -np.inf
    # articles 0-3 of a batch and one earlier story (column 4, three members):
    # 0 and 1 are close; 2 fits the story; 3 fits nothing
    margins = np.array(
        [
            [inf, 0.5, 0.0, -0.4, -0.2],
            [0.5, inf, 0.0, -0.4, 0.3],
            [0.0, 0.0, inf, -0.4, 0.2],
            [-0.4, -0.4, -0.4, inf, -0.5],
        ]
    )
    sizes = np.array([1, 1, 1, 1, 3.0])
    group, joined = average_link(margins.copy(), sizes)  # it overwrites the margins
    # {0, 1} first (0.5); then 2 joins the story (0.2); the pair then averages
    # (1 * 0.0 + 3 * 0.05) / 4 = 0.0375 with story + 2, and joins it as well
    assert group.tolist() == [0, 0, 2, 3]
    assert joined[0] == 4 and joined[2] == 4 and joined[3] == -1
    # if 2 and the pair disagree (-0.3), story + 2 averages -0.0375 with the pair: no join
    margins[[0, 1, 2, 2], [2, 2, 0, 1]] = -0.3
    group, joined = average_link(margins, sizes)
    assert (margins[:, 1] == -np.inf).all()  # overwritten: column 1 went into column 0
    assert group.tolist() == [0, 0, 2, 3]
    assert joined[0] == -1 and joined[2] == 4 and joined[3] == -1


@pytest.mark.shared
def test_real_articles_deterministic_and_batches_cost_little():
    import gzip

    from tests.conftest import shared

    folder = shared("allsides-stories")
    recs, gold = [], []
    with gzip.open(folder / "allsides-stories.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = fh.readlines()
    for line in lines:
        s = json.loads(line)
        for side, a in sorted(s["news"].items()):
            recs.append(
                {"id": f"{s['id']}-{side}", "title": a["newsTitle"], "text": " ".join(a["newBody"])}
            )
            gold.append(s["id"])
        if len(recs) >= 240:
            break

    def pairs_f1(outs):
        """F1 of same-story pairs against the gold events."""
        pred = [o["story"] for o in outs]
        n = len(pred)
        same_p = {(i, j) for i in range(n) for j in range(i + 1, n) if pred[i] == pred[j]}
        same_g = {(i, j) for i in range(n) for j in range(i + 1, n) if gold[i] == gold[j]}
        hit = len(same_p & same_g)
        return 2 * hit / (len(same_p) + len(same_g))

    whole = list(Cluster(batch_size=500).filter(recs))
    assert whole == list(Cluster(batch_size=500).filter(recs))  # deterministic
    small = list(Cluster(batch_size=7).filter(recs))
    assert small == list(Cluster(batch_size=7).filter(recs))
    assert 20 < len({o["story"] for o in whole}) < len(recs)
    # one batch is average-link clustering; a stream of small batches is close to it
    assert pairs_f1(whole) > 0.6
    assert pairs_f1(small) > pairs_f1(whole) - 0.15


def test_duplicates_join_their_original():
    recs = records()
    recs.append(
        {"id": "copy", "text": "completely different words here", "duplicate_of": "quake-japan-a"}
    )
    s = stories_by_key(Cluster().filter(recs))
    assert s["copy"] == s["quake-japan-a"]


# -- the stage on a store ------------------------------------------------------------------------
def _article(key, outlet, day, title, body, duplicate_of=None):
    return Article(
        id=key,
        source=f"test:{key}",
        text=body,
        title=title,
        outlet=outlet,
        published=datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None,
        sentences=tuple(sentence_spans(body)),
        content_hash=content_hash(body),
        duplicate_of=duplicate_of,
    )


def _add(store, arts):
    with store.begin() as conn:
        store.add_articles(conn, arts)


def _assignments(store):
    with store.connect() as conn:
        from sqlalchemy import select

        t = tables.story_articles
        return dict(conn.execute(select(t.c.article_id, t.c.story_id)).all())


def test_stage_on_store_matches_filter_and_persists_the_index(store, settings, caplog):
    arts = [_article(*row) for row in CORPUS]
    _add(store, arts[:5])
    pipeline.run(store, settings, only=["cluster"])
    _add(store, arts[5:])
    pipeline.run(store, settings, only=["cluster"])
    got = _assignments(store)
    want = stories_by_key(Cluster().filter(records()))
    assert got == want  # two pipeline runs (online) == one filter pass
    for key, sid in want.items():
        assert story_of_article(store, key) == sid
    path = Path(index_path(store, settings))
    assert path.exists() and json.loads(Path(f"{path}.json").read_text())["n"] >= 5
    # a new process (no cached state) picks up the saved vectors and goes on clustering
    index.ENGINES.clear()
    _add(
        store,
        [
            _article(
                "apple-c",
                "CNBC",
                "2024-05-03",
                "Apple rallies on record iPhone sales",
                "Apple shares rallied 6% after record iPhone sales in China, Tim Cook said.",
            )
        ],
    )
    with caplog.at_level(logging.INFO, logger="newsdesk.stages.cluster"):
        pipeline.run(store, settings, only=["cluster"])
    assert "vectors from the index file" in caplog.text
    assert "(0 vectors" not in caplog.text
    assert story_of_article(store, "apple-c") == want["apple-a"]


def test_missing_index_is_rebuilt_and_recluster_is_stable(store, settings):
    _add(store, [_article(*row) for row in CORPUS])
    pipeline.run(store, settings, only=["cluster"])
    before = _assignments(store)
    path = Path(index_path(store, settings))
    index.ENGINES.clear()
    for p in (path, Path(f"{path}.json")):
        p.unlink(missing_ok=True)
    report = recluster(store, settings)
    assert (report.articles, report.stories) == (len(CORPUS), 4)
    assert _assignments(store) == before
    assert path.exists()


def test_duplicates_on_store(store, settings):
    orig = _article(*CORPUS[4])
    dup = _article("dup", "Yahoo", "2024-05-04", "Quake", "Syndicated copy.", duplicate_of=orig.id)
    _add(store, [orig, dup])
    pipeline.run(store, settings, only=["cluster"])
    assert story_of_article(store, "dup") == story_of_article(store, orig.id)


def test_story_view(store, settings):
    _add(store, [_article(*row) for row in CORPUS])
    pipeline.run(store, settings, only=["cluster"])
    sid = story_of_article(store, "quake-chile-a")
    view = get_story(store, sid)
    assert view.story.articles == 2 and view.story.outlets == 2
    assert "Chile" in (view.story.title or "")
    assert dict(view.outlets) == {"AP": 1, "Reuters": 1}
    assert view.summary and {s.outlet for s in view.summary} <= {"AP", "Reuters"}
    for s in view.summary:  # every summary sentence is attributed to the article it came from
        art = next(a for a in CORPUS if a[0] == s.article_id)
        assert s.text in art[4] or s.text in art[3]
    assert [t.kind for t in view.timeline].count("article") == 2
    assert {f.outlet for f in view.framing} == {"AP", "Reuters"}
    assert view.thread is None
    biggest = list_stories(store, order="biggest")
    assert len(biggest) == 4 and all(b.articles == 2 for b in biggest)
    with pytest.raises(NotFound):
        get_story(store, 999)
    with pytest.raises(ValueError, match="order"):
        list_stories(store, order="random")


def test_cli(store, settings):
    _add(store, [_article(*row) for row in CORPUS])
    runner = CliRunner()
    res = runner.invoke(app, ["run", "--stage", "cluster", "--db", settings.db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["stories", "--json", "--db", settings.db])
    assert res.exit_code == 0, res.output
    listed = json.loads(res.stdout)
    assert len(listed) == 4
    res = runner.invoke(app, ["story", str(listed[0]["id"]), "--db", settings.db])
    assert res.exit_code == 0 and "Summary" in res.stdout
    res = runner.invoke(app, ["story", "999", "--db", settings.db])
    assert res.exit_code == 1 and "no story 999" in res.output
    lines = "\n".join(json.dumps(r) for r in records())
    res = runner.invoke(app, ["cluster", "-"], input=lines)
    assert res.exit_code == 0, res.output
    outs = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o["id"] for o in outs] == [r["id"] for r in records()]
    res = runner.invoke(app, ["cluster", "-"], input="not json\n")
    assert res.exit_code == 1


def test_an_article_bridging_two_stories_merges_them():
    import numpy as np

    from newsdesk.stages.cluster import Clusterer, Item

    def unit(*xs):
        v = np.zeros(8, np.float32)
        v[: len(xs)] = xs
        return v / np.linalg.norm(v)

    a = Item("a", unit(1, 0, 0.2), Counter({"alpha": 1, "beta": 1}))
    b = Item("b", unit(0, 1, 0.2), Counter({"gamma": 1, "delta": 1}))
    c = Item("c", unit(1, 1, 0.2), Counter({"alpha": 1, "beta": 1, "gamma": 1, "delta": 1}))
    cl = Clusterer(8, join=0.45, merge=0.5)
    first = cl.add([a, b])
    assert first[0].story != first[1].story
    (bridge,) = cl.add([c])
    assert bridge.story == 1 and bridge.merged == (2,)
    assert cl.story_of == [1, 1, 1]
    assert set(cl.stories) == {1} and cl.stories[1].members == [0, 1, 2]


def test_default_threshold_falls_for_short_texts():
    from newsdesk.stages.cluster.clusterer import JOIN, JOIN_SHORT, join_threshold

    assert join_threshold(500) == join_threshold(clusterer.LONG_WORDS) == JOIN
    assert join_threshold(5) == join_threshold(clusterer.SHORT_WORDS) == JOIN_SHORT < JOIN
    middle = join_threshold((clusterer.SHORT_WORDS + clusterer.LONG_WORDS) // 2)
    assert JOIN_SHORT < middle < JOIN
    # two articles scoring 0.25 (embedding cosine 0.7, no shared terms): short ones join
    import numpy as np

    from newsdesk.stages.cluster import Clusterer, Item

    u = np.zeros(8, np.float32)
    u[0] = 1.0
    w = np.zeros(8, np.float32)
    w[0], w[1] = 0.7, np.sqrt(1 - 0.49)
    for words, joined in ((20, True), (200, False)):
        cl = Clusterer(8)
        a, b = (
            Item("a", u, Counter({"alpha": 1}), words=words),
            Item("b", w, Counter({"beta": 1}), words=words),
        )
        first, second = cl.add([a, b])
        assert (first.story == second.story) is joined, words
        if joined:
            assert second.score == pytest.approx(0.25, abs=1e-3)


def test_cluster_filter_reads_the_settings(monkeypatch):
    lines = "\n".join(json.dumps({k: v for k, v in r.items() if k != "id"}) for r in records())
    runner = CliRunner()
    default = [
        json.loads(x) for x in runner.invoke(app, ["cluster", "-"], input=lines).stdout.splitlines()
    ]
    monkeypatch.setenv("NEWSDESK_STORY_THRESHOLD", "0.99")
    strict = [
        json.loads(x) for x in runner.invoke(app, ["cluster", "-"], input=lines).stdout.splitlines()
    ]
    assert [o["id"] for o in default] == list(range(1, len(CORPUS) + 1))  # line numbers
    assert len({o["story"] for o in default}) == 4
    assert len({o["story"] for o in strict}) == len(CORPUS)


def test_story_batch_setting(monkeypatch):
    from newsdesk.settings import Settings

    assert Cluster.from_settings(Settings()).batch_size == clusterer.BATCH
    monkeypatch.setenv("NEWSDESK_STORY_BATCH", "64")
    assert Cluster.from_settings(Settings.load()).batch_size == 64


def test_one_event_in_three_languages_is_one_story() -> None:
    """Kyiv, Moscow and Western coverage of one event join one story; another event stays apart
    (six short texts through ``cluster -``, the multilingual encoder included)."""
    recs = [
        {"id": "en1", "title": "Zelensky and Scholz meet in Kyiv over air defence",
         "text": "Ukrainian President Volodymyr Zelensky met German Chancellor Olaf Scholz in Kyiv "
                 "on Tuesday to discuss air defence systems and a new aid package of 2.7 billion euros."},
        {"id": "uk1", "title": "Зеленський і Шольц зустрілися у Києві щодо протиповітряної оборони",
         "text": "Президент України Володимир Зеленський у вівторок зустрівся в Києві з канцлером "
                 "Німеччини Олафом Шольцом, щоб обговорити системи ППО та новий пакет допомоги на 2.7 млрд євро."},
        {"id": "ru1", "title": "Зеленский и Шольц встретились в Киеве по вопросу ПВО",
         "text": "Президент Украины Владимир Зеленский во вторник встретился в Киеве с канцлером "
                 "Германии Олафом Шольцем, чтобы обсудить системы ПВО и новый пакет помощи на 2.7 млрд евро."},
        {"id": "en2", "title": "Apple unveils a new iPhone at its California event",
         "text": "Apple showed its new iPhone on Monday at an event in Cupertino, California, "
                 "with a faster chip and a better camera, priced from 799 dollars."},
        {"id": "en3", "title": "Scholz visits Kyiv, pledges air defence to Zelensky",
         "text": "German Chancellor Olaf Scholz arrived in Kyiv on Tuesday and promised Volodymyr "
                 "Zelensky more air defence, part of a 2.7 billion euro package."},
        {"id": "ru2", "title": "Apple представила новый iPhone",
         "text": "Компания Apple в понедельник представила в Купертино, Калифорния, новый iPhone "
                 "с более быстрым чипом и лучшей камерой по цене от 799 долларов."},
    ]  # fmt: skip
    out = {o["id"]: o["story"] for o in Cluster().filter(recs)}
    assert out["en1"] == out["uk1"] == out["ru1"] == out["en3"]
    assert out["en2"] == out["ru2"] != out["en1"]


def test_a_stray_language_does_not_make_a_stream_mixed() -> None:
    """One article in another language among thousands (a detector's stray call) does not make
    an English stream pay for the multilingual encoder; a share of a few in a hundred does."""
    import numpy as np

    from newsdesk.stages.cluster.clusterer import Clusterer, Item
    from newsdesk.stages.cluster.languages import MIXED_SHARE

    rng = np.random.default_rng(0)

    def items(n: int, lang: str, start: int) -> list[Item]:
        vecs = rng.normal(size=(n, 8)).astype(np.float32)
        return [
            Item(f"{lang}{start + i}", v / np.linalg.norm(v), Counter({"w": 1}), lang=lang)
            for i, v in enumerate(vecs)
        ]

    english = int(2 / MIXED_SHARE)
    cl = Clusterer(8, mdim=4)
    cl.add(items(english, "en", 0))
    assert not cl.mixed(items(1, "la", 0))  # one in 2,000: noise
    cl.add(items(1, "la", 0))
    assert not cl.mixed(items(english, "en", english))
    small = Clusterer(8, mdim=4)
    small.add(items(50, "en", 0))
    assert small.mixed(items(1, "de", 0))  # one in 51: a language of the stream
    small.add(items(1, "de", 0))
    assert small.mixed(items(english, "en", 50))  # and it stays mixed as English grows


def test_density_shift_asks_more_of_a_crowded_neighbourhood():
    import numpy as np

    from newsdesk.stages.cluster.scoring import DEFAULT, density_shift

    p = DEFAULT.but(density=0.5, density_k=2)
    # articles 0-2 close to each other (a crowd of look-alikes), 3-4 a loose pair, 5 alone
    pair = np.array(
        [
            [-np.inf, 0.6, 0.6, 0.1, 0.1, 0.0],
            [0.6, -np.inf, 0.6, 0.1, 0.1, 0.0],
            [0.6, 0.6, -np.inf, 0.1, 0.1, 0.0],
            [0.1, 0.1, 0.1, -np.inf, 0.3, 0.0],
            [0.1, 0.1, 0.1, 0.3, -np.inf, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0, -np.inf],
        ],
        np.float32,
    )
    words = np.full(6, clusterer.LONG_WORDS)
    en = np.array(["en"] * 6)
    shift = density_shift(pair, en, words, p)
    assert shift[0] == shift[1] == shift[2] > 0 > shift[5]
    assert shift[2] > shift[3] == shift[4] >= shift[5]
    assert float(np.median(shift)) == pytest.approx(0.0, abs=1e-6)
    assert not density_shift(pair[:2, :2], en[:2], words[:2], p).any()  # too small for neighbours
    assert not density_shift(pair, en, words, DEFAULT.but(density=0.0)).any()
    short = density_shift(pair, en, np.full(6, clusterer.SHORT_WORDS), p)
    assert not short.any()  # short texts: density_short (0 unless set)
    # the crowd's neighbours in another language do not count
    crowd_apart = density_shift(pair, np.array(["en", "uk", "ru", "en", "en", "en"]), words, p)
    assert crowd_apart[0] < shift[0]
