"""Story summaries say each fact once (issue 19): the redundancy measure, the selection that
removes redundant pairs, and every story summary of the demo corpus."""

from __future__ import annotations

import json

import numpy as np
import pytest

from newsdesk import api
from newsdesk.settings import Settings
from newsdesk.stages.summarize import Length, summarize_multi
from newsdesk.stages.summarize.mmr import mmr
from newsdesk.stages.summarize.redundancy import redundant_pairs
from newsdesk.views.stories import SUMMARY_SENTENCES, get_story, list_stories

# The three leads of the demo corpus's story "FDA authorizes Pfizer booster" (allsides-5678):
# the example of a summary that said the same thing three times.
FDA = (
    "The Food and Drug Administration on Wednesday authorized Pfizer booster shots for people "
    "above the age of 65 or who are at high risk.",
    "The Food and Drug Administration on Wednesday authorized booster doses of the "
    "Pfizer-BioNTech vaccine for people 65 and older and those whose jobs put them at high risk "
    "for exposure to COVID-19.",
    "The Food and Drug Administration on Wednesday granted an emergency use authorization to "
    "Pfizer and BioNTech’s Covid-19 vaccine booster, though for now the FDA said use of the "
    "booster should be restricted to people over the age of 65.",
)


def test_no_sentences_no_pairs() -> None:
    assert redundant_pairs([]) == []
    assert redundant_pairs(["One sentence alone."]) == []


def test_two_versions_of_one_fact_are_redundant() -> None:
    assert redundant_pairs(FDA) == [(0, 1), (0, 2), (1, 2)]
    # few words in common, but the same event: the encoder sees it
    assert redundant_pairs(
        [
            "President Joe Biden got his COVID-19 booster shot before news cameras Monday.",
            "President Joe Biden, 78, received a booster shot against COVID-19 at the White "
            "House on Monday afternoon.",
        ]
    ) == [(0, 1)]


def test_two_facts_of_one_story_are_not() -> None:
    assert not redundant_pairs(
        [
            FDA[0],
            "Individuals 18 and up who are at high risk for severe COVID-19 were also included in "
            "the authorization, which only covers those at least six months out from their "
            "second dose.",
            "A Food and Drug Administration advisory panel voted against green-lighting COVID-19 "
            "booster shots Friday for most people.",
        ]
    )


def test_other_languages_are_not_judged_by_an_english_encoder() -> None:
    # wordllama puts any two Russian sentences close; only their words count there
    ru = [
        "Своими решениями его судьи запрещали акции протеста во время Революции Достоинства.",
        "Тогда президент наконец внес законопроект о ликвидации суда, который Рада приняла.",
    ]
    assert redundant_pairs(ru, languages=["ru", "ru"]) == []


def test_mmr_never_picks_a_blocked_pair() -> None:
    V = np.eye(3, dtype=np.float32)
    blocked = np.zeros((3, 3), dtype=bool)
    blocked[0, 1] = blocked[1, 0] = True
    allowed = np.ones(3, dtype=bool)
    scores = np.array([3.0, 2.0, 1.0])
    assert mmr(scores, V, 2, 0.0, allowed, blocked=blocked) == [0, 2]
    assert mmr(scores, V, 3, 0.0, allowed, strict=True, blocked=blocked) == [0, 2]
    assert mmr(scores, V, 2, 0.0, allowed) == [0, 1]


def test_a_story_summary_keeps_one_version_of_the_fact() -> None:
    rest = (
        "Individuals 18 and up who are at high risk for severe COVID-19 were also included. "
        "The authorization only covers those at least six months out from their second dose."
    )
    docs = [(f"{lead} {rest}", None, []) for lead in FDA]
    picked = summarize_multi(docs, Length(sentences=3))
    texts = [docs[d][0][s:e] for d, (s, e) in picked]
    assert sum(t in FDA for t in texts) == 1, texts
    assert not redundant_pairs(texts)


@pytest.fixture(scope="module")
def demo_stories(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("demo") / "demo.db")
    settings = Settings.load(db=db, story_views=False)
    store = api.open_store(db)
    assert api.ingest(api.demo_paths(), store, settings, run_stages=False).ok
    api.run(store, settings, only=["cluster"])
    yield [get_story(store, s.id) for s in list_stories(store, limit=10_000)]
    store.close()


@pytest.mark.slow
def test_no_demo_story_summary_says_a_thing_twice(demo_stories) -> None:
    # 144 redundant pairs in 56 of the 103 story summaries before the selection cut them
    assert len(demo_stories) > 80
    found = {}
    for view in demo_stories:
        sents = [s.text for s in view.summary]
        pairs = redundant_pairs(sents, languages=[view.language] * len(sents))
        if pairs:
            found[view.story.id] = [(sents[i], sents[j]) for i, j in pairs]
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)[:3000]


@pytest.mark.slow
def test_demo_story_summaries_stay_full_length(demo_stories) -> None:
    # removing repeats must not empty the summaries: a story of several articles has enough
    # different sentences to fill one
    several = [v for v in demo_stories if len(v.articles) >= 2]
    full = [v for v in several if len(v.summary) == SUMMARY_SENTENCES]
    assert len(full) >= 0.95 * len(several), (len(full), len(several))
