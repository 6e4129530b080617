"""The plain-text page cleaner: golden seed bodies, metadata, variants, idempotence.

Golden files (tests/golden/seeds/*.clean.txt) are the article paragraphs of each seed page,
picked by hand. Regenerate them from the cleaner only on purpose: ``UPDATE_GOLDEN=1 pytest …``
(then review the diff against the page).
"""

from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from newsdesk.ingest import plaintext as pt
from newsdesk.ingest.plaintext import clean_text, parse_page, read_plaintext
from newsdesk.settings import Settings
from newsdesk.store import Store
from tests.conftest import SEEDS, shared

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "seeds"
SEED_000 = SEEDS / "000_c4dcb129cd5a3c25.txt"
SEED_004 = SEEDS / "004_32a15b988743c18d.txt"
GETTY_CAPTION = (
    "Turkish Foreign Minister Hakan Fidan chairs the third round of renewed Russia-Ukraine "
    "talks hosted by Turkiye in Istanbul, Turkiye on July 23, 2025. (Source: Getty Images)"
)


def _fields(path: Path) -> dict:
    (doc,) = list(read_plaintext(str(path), path.read_bytes()))
    return parse_page(doc)


# --- edge cases first --------------------------------------------------------------------------


def test_empty_page_has_no_body() -> None:
    assert clean_text("").text == ""
    assert clean_text("\n\n   \n").text == ""


def test_furniture_only_page_has_no_body() -> None:
    page = "Home\nNews\nSport\nSubscribe\nSign in\n\nPrivacy policy\nTerms of use\n© 2025 Example"
    assert clean_text(page).text == ""


def test_split_lines_remembers_blank_lines() -> None:
    lines = pt.split_lines("a  b\n\nc\nd\n")
    assert [ln.text for ln in lines] == ["a b", "c", "d"]
    assert [(ln.blank_before, ln.blank_after) for ln in lines] == [
        (True, True),
        (True, False),
        (False, True),
    ]


# --- golden seeds ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [SEED_000, SEED_004], ids=["000", "004"])
def test_seed_body_matches_golden_file(seed: Path) -> None:
    body = _fields(seed)["text"]
    golden = GOLDEN / f"{seed.stem}.clean.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(body + "\n", encoding="utf-8")
    assert body == golden.read_text(encoding="utf-8").rstrip("\n")


def test_seed_000_metadata_and_furniture() -> None:
    f = _fields(SEED_000)
    assert f["title"] == (
        "Russia Never Intended Real Peace Talks at Istanbul Negotiations, Ukraine’s Deputy FM Says"
    )
    assert f["category"] == "Latest news"
    assert f["reading_minutes"] == 2
    assert f["captions"] == [GETTY_CAPTION]  # repeated on the page, kept exactly once
    assert "authors" not in f  # the page prints the "Authors" label with no name under it
    body = f["text"]
    assert body.startswith("The Russian delegation at the Istanbul negotiations")
    assert body.endswith("the dismantling of Ukraine’s statehood.")
    for furniture in (
        "Turkish Foreign Minister Hakan Fidan chairs",  # the caption is not body text
        "Getty Images",
        "See all",
        "Support UNITED24",
        "Your donation powers",
        "United, we defend the truth",
        "Authors",
        "2 min read",
        "Category",
        "Latest news",
        f["title"],
    ):
        assert furniture not in body, furniture
    assert "\n\n“They know very well the background of every one of us" in body


def test_seed_004_metadata_and_furniture() -> None:
    f = _fields(SEED_004)
    assert f["title"] == "Ukrainian stance on Istanbul talks and future negotiations with Russia"
    assert "category" not in f
    body = f["text"]
    assert body.startswith("In the early stages of the conflict between Ukraine and Russia")
    assert body.endswith("back the terms reached at the table.")
    assert body.count("\n\n") == 4  # five paragraphs
    for furniture in (
        "No time to read?",
        "Get a summary",
        "Previous Article",
        "Next Article",
        "Iran Affirms IAEA",
        "Israel Attack Sparks Tensions",
        "Stanislava Konstantinova",
        f["title"],
    ):
        assert furniture not in body, furniture


def test_seeds_ingest_with_title_category_reading_time_captions(
    store: Store, settings: Settings
) -> None:
    from newsdesk import api

    report = api.ingest([str(SEED_000), str(SEED_004)], store, settings, run_stages=False)
    assert report.errors == []
    assert report.added == 2
    by_title = {a.title: a for a in api.articles(store, limit=10)}
    a0 = by_title[
        "Russia Never Intended Real Peace Talks at Istanbul Negotiations, Ukraine’s Deputy FM Says"
    ]
    assert a0.category == "Latest news"
    assert a0.reading_minutes == 2
    assert a0.captions == (GETTY_CAPTION,)
    assert "Support UNITED24" not in a0.text
    a4 = by_title["Ukrainian stance on Istanbul talks and future negotiations with Russia"]
    assert "Next Article" not in a4.text


# --- variants written for these tests ---------------------------------------------------------

PARAGRAPHS = [
    "The city council voted on Tuesday to expand the night bus network, adding four routes "
    "that will run every twenty minutes between midnight and five in the morning.",
    "Officials said the plan would cost about 3.2 million euros a year and would be paid for "
    "by a small increase in parking fees in the city centre.",
    "“People who work late shifts have been asking for this for years,” said Maria Keller, "
    "who chairs the transport committee. “Now they will not have to walk home in the dark.”",
    "Opposition members argued that the money should have gone to repairing existing tram "
    "lines, several of which have been closed for maintenance since the spring.",
    "The first of the new routes is expected to start running in March, the council said.",
]
BODY = "\n\n".join(PARAGRAPHS)


def _variant_page() -> str:
    return "\n".join(
        [
            "Menu",
            "Search",
            "Topic",
            "Politics",
            "",
            "Council approves night buses after years of complaints",
            "",
            "By Jane Doe",
            "5 min read",
            "",
            BODY,
            "",
            "Share this article",
            "Facebook",
            "Twitter",
            "Related stories",
            "Tram repairs delayed again as costs rise",
            "Mayor announces new cycling plan for the old town",
            "",
            "Subscribe to our newsletter",
            "© 2025 Example Media. All rights reserved.",
        ]
    )


def test_variant_with_other_furniture_words() -> None:
    page = clean_text(_variant_page())
    assert page.title == "Council approves night buses after years of complaints"
    assert page.category == "Politics"
    assert page.authors == ("Jane Doe",)
    assert page.reading_minutes == 5
    assert page.outlet == "Example Media"  # from the copyright line
    assert page.text == BODY


def test_variant_without_category_or_metadata() -> None:
    text = "Council approves night buses after years of complaints\n\n" + BODY
    text += "\n\nRead more\nMost popular\nTram repairs delayed again as costs rise\n"
    page = clean_text(text)
    assert page.category is None
    assert page.reading_minutes is None
    assert page.title == "Council approves night buses after years of complaints"
    assert page.text == BODY


def test_variant_caption_not_repeated_is_a_caption() -> None:
    caption = "A night bus waits at the central station on Monday. (Photo: Reuters)"
    text = "Council approves night buses after years of complaints\n\n"
    text += PARAGRAPHS[0] + "\n\n" + caption + "\n\n" + "\n\n".join(PARAGRAPHS[1:])
    page = clean_text(text)
    assert page.captions == (caption,)
    assert "night bus waits" not in page.text
    assert page.text == BODY


def test_repeated_caption_kept_once() -> None:
    caption = "Council members during Tuesday's vote in the town hall. Photo: Anna Berg"
    text = "Council approves night buses\n\n" + caption + "\n" + caption + "\n\n" + BODY
    page = clean_text(text)
    assert page.captions == (caption,)
    assert page.text == BODY


def test_date_line_becomes_published() -> None:
    text = "Council approves night buses after years of complaints\nNovember 12, 2025\n\n" + BODY
    page = clean_text(text)
    assert page.published == "2025-11-12"
    assert page.text == BODY


# --- idempotence -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [SEED_000, SEED_004], ids=["000", "004"])
def test_cleaning_a_clean_body_keeps_it(seed: Path) -> None:
    once = clean_text(seed.read_text(encoding="utf-8")).text
    twice = clean_text(once)
    assert twice.text == once
    assert twice.title is None


def test_cleaning_variant_is_idempotent() -> None:
    once = clean_text(_variant_page()).text
    assert clean_text(once).text == once


# --- model and speed ---------------------------------------------------------------------------


def test_shipped_model_is_small_plain_json_not_trained_on_research_only_data() -> None:
    assert pt.MODEL_PATH.stat().st_size < 10_000_000
    model = json.loads(pt.MODEL_PATH.read_text(encoding="utf-8"))
    assert {"lexicon", "pass1", "pass2"} <= set(model)
    trained_on = model["info"]["trained_on"]
    assert "l3s" not in " ".join(trained_on)
    assert model["pass1"]["kind"] == model["pass2"]["kind"] == "trees"
    x1 = pt.features_pass1(pt.split_lines("a b c\nd e f"), {})
    # every feature a tree splits on exists (pass 2 adds the neighbour scores to pass 1's)
    assert max(model["pass1"]["feature"]) < x1.shape[1]
    assert max(model["pass2"]["feature"]) < pt.features_pass2(x1, np.zeros(2)).shape[1]
    assert len(set(model["pass2"]["feature"])) > 10  # many features used, not a stub


def test_tree_scoring_matches_sklearn() -> None:
    sklearn = pytest.importorskip("sklearn.ensemble", reason="training needs scikit-learn")
    from newsdesk.ingest.plaintext.trees import Trees, trees_to_json

    rng = np.random.default_rng(0)
    x = rng.random((2000, 6))
    y = ((x[:, 0] > 0.5) ^ (x[:, 3] > 0.3)).astype(int)
    model = sklearn.HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(x, y)
    trees = Trees.from_json(trees_to_json(model))
    assert trees.session is not None  # scored by onnxruntime
    ours = trees.predict(x)
    assert np.abs(ours - model.predict_proba(x)[:, 1]).max() < 1e-5
    assert np.abs(trees.raw(x) - trees.walk(x)).max() < 1e-9  # the numpy walk agrees


def test_a_tree_that_is_one_leaf_has_an_onnx_form() -> None:
    pytest.importorskip("onnx", reason="the ONNX form is made at training time (bench extra)")
    from newsdesk.ingest.plaintext.trees import Trees, with_onnx

    # tree 0 is one leaf (0.25); tree 1 splits feature 1 at 0.5: left 1.0, right -2.0
    blob = {
        "kind": "trees",
        "feature": [0, 1, 0, 0],
        "threshold": [0.0, 0.5, 0.0, 0.0],
        "left": [0, 2, 2, 3],
        "right": [0, 3, 2, 3],
        "value": [0.25, 0.0, 1.0, -2.0],
        "roots": [0, 1],
        "depth": 1,
        "base": 0.5,
    }
    x = np.array([[9.0, 0.2], [9.0, 0.5], [9.0, 0.7]])
    onnx_trees = Trees.from_json(with_onnx(blob))
    assert onnx_trees.session is not None and Trees.from_json(blob).session is None
    expected = [0.5 + 0.25 + 1.0, 0.5 + 0.25 + 1.0, 0.5 + 0.25 - 2.0]  # x <= split goes left
    assert onnx_trees.raw(x).tolist() == expected
    assert Trees.from_json(blob).raw(x).tolist() == expected


def test_the_shipped_trees_score_the_same_with_onnx_and_numpy() -> None:
    cleaner = pt.default_cleaner()
    assert cleaner.pass1.session is not None and cleaner.pass2.session is not None
    if not SEED_000.exists():
        pytest.skip("../shared/seeds is absent (the seed pages live outside the repo)")
    for seed in (SEED_000, SEED_004):
        lines = pt.split_lines(seed.read_text(encoding="utf-8"))
        x1 = pt.features_pass1(lines, cleaner.lexicon)
        assert np.abs(cleaner.pass1.raw(x1) - cleaner.pass1.walk(x1)).max() < 1e-9
        x2 = pt.features_pass2(x1, cleaner.pass1.predict(x1))
        assert np.abs(cleaner.pass2.raw(x2) - cleaner.pass2.walk(x2)).max() < 1e-9


def test_cleaning_a_seed_is_fast() -> None:
    text = SEED_004.read_text(encoding="utf-8")
    clean_text(text)
    t0 = time.process_time()
    for _ in range(50):
        clean_text(text)
    per_page = (time.process_time() - t0) / 50
    assert per_page < 0.02  # generous: the machine is shared; the benchmark reports real numbers


@pytest.mark.shared
def test_rendered_zyte_pages_get_much_cleaner() -> None:
    import sys

    pytest.importorskip("inscriptis", reason="the page renderer is in the [bench] extra")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import textpages

    folder = shared("zyte-article-bench")
    pages = [p for _, p in zip(range(6), textpages.load_pages(folder), strict=False)]
    rendered = [textpages.render(html) for _, html, _ in pages]
    golds = [gold for _, _, gold in pages]
    raw = textpages.score(zip(golds, rendered, strict=True))
    ours = textpages.score(zip(golds, (clean_text(t).text for t in rendered), strict=True))
    assert ours["precision"] > raw["precision"] + 0.2
    assert ours["f1"] > 0.75


# --- the filter (no store) ---------------------------------------------------------------------


def test_filter_spans_point_into_the_original_text() -> None:
    page = SEED_000.read_text(encoding="utf-8")
    (out,) = list(pt.filter_records([{"id": "s0", "text": page}]))
    assert out["id"] == "s0"
    assert out["category"] == "Latest news"
    paragraphs = out["text"].split("\n\n")
    assert [page[s:e] for s, e in out["body_spans"]] == paragraphs


def test_filter_reports_records_without_text() -> None:
    assert list(pt.filter_records([{"id": 7}])) == [
        {"id": 7, "error": 'record has no "text" string'}
    ]


def test_clean_command_reads_jsonl_from_stdin() -> None:
    from typer.testing import CliRunner

    import newsdesk.cli.clean  # noqa: F401  (registers the command)
    from newsdesk.cli.common import app

    page = SEED_004.read_text(encoding="utf-8")
    stdin = json.dumps({"id": 4, "text": page}) + "\n"
    result = CliRunner().invoke(app, ["clean", "-"], input=stdin)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["title"] == "Ukrainian stance on Istanbul talks and future negotiations with Russia"
    assert "Next Article" not in out["text"]
    assert len(out["body_spans"]) == 5


@pytest.mark.parametrize(
    "page",
    [
        "Home\nNews\nSport\n\nThe council approved the new tram line on Tuesday after a long debate.\n"
        "\nPrivacy policy\nTerms of use",
        "[Skip to content]\nMenu\nSearch\nSubscribe to our newsletter for daily updates and offers.\n"
        "Sign in\nThe council approved the tram line on Tuesday, officials said.\n© 2025 Example",
        "Головна\nНовини\n\nМіська рада ухвалила рішення про нову трамвайну лінію у вівторок.\n\nКонтакти",
    ],
)
def test_a_page_with_a_sentence_always_has_a_body(page: str) -> None:
    body = clean_text(page).text
    assert body and "Sign in" not in body and "Privacy" not in body


# --- renderers: wrapped lines, text nodes, bullets, link markers ------------------------------

PARAGRAPH = (
    "The council approved the new tram line on Tuesday after a debate that lasted well into the "
    "night, and the mayor said that construction would begin in the spring of next year, once the "
    "last objections from residents along the route had been heard and answered in full."
)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


def test_a_text_browser_dump_is_rejoined_into_paragraphs() -> None:
    menu = ["Home", "News", "Sport", "Weather", "Contact"]
    page = "\n".join([*menu, "", *_wrap(PARAGRAPH, 100), "", *_wrap(PARAGRAPH, 100), "", *menu])
    lines = pt.split_lines(page)
    assert [ln.text for ln in lines].count(PARAGRAPH) == 2
    assert len(lines) == 2 * len(menu) + 2  # menus stay one entry per line
    start = next(ln for ln in lines if ln.text == PARAGRAPH).start
    assert page[start:].startswith(PARAGRAPH[:40])


def test_short_lines_of_an_unwrapped_page_stay_apart() -> None:
    heads = [f"Headline number {i} about the tram line and the council" for i in range(12)]
    page = "\n".join([*heads, PARAGRAPH, PARAGRAPH + " More text here.", *heads])
    assert len(pt.split_lines(page)) == 2 * len(heads) + 2


def test_text_nodes_cut_by_inline_links_are_rejoined() -> None:
    pieces = ["The council approved the new tram line on", "Tuesday", ", the mayor said, and the",
              "construction", "will begin in spring."]  # fmt: skip
    page = "\n".join(["Home", "News", *pieces, "Sport", *(f"Link {i}" for i in range(20))])
    texts = [ln.text for ln in pt.split_lines(page)]
    assert "The council approved the new tram line on Tuesday , the mayor said, and the " \
        "construction will begin in spring." in texts  # fmt: skip
    assert "Home" in texts and "Sport" in texts


def test_bullets_and_lynx_link_markers_are_taken_off() -> None:
    links = "\n".join(f"  * [{i}]Section {i}" for i in range(1, 8))
    page = links + "\n\n[9]The council approved the [10]tram line on Tuesday.\n"
    lines = pt.split_lines(page)
    assert [ln.text for ln in lines[:2]] == ["Section 1", "Section 2"]
    assert all(ln.bullet for ln in lines[:7]) and not lines[-1].bullet
    assert lines[-1].text == "The council approved the tram line on Tuesday."


def test_the_longest_wrapped_lines_are_rejoined_too() -> None:
    # The wrap width is estimated below the longest line ends (3% of lines may pass it, for
    # unbreakable URLs): the wrapped lines that end just past the estimate are joined as well.
    words = PARAGRAPH.split()
    paras = [" ".join(words[i:] + words[:i]) for i in range(0, 40, 4)]
    menu = "\n\n".join(
        "\n".join(f"Section {i} of the site, part {j}" for j in range(5)) for i in range(12)
    )
    page = "\n\n".join([menu, *("\n".join(_wrap(p, 100)) for p in paras), menu])
    texts = [ln.text for ln in pt.split_lines(page)]
    assert sum(t in paras for t in texts) == len(paras)


def test_wrapped_cjk_text_is_rejoined_without_a_space() -> None:
    # A text browser counts a CJK character as two columns: 48 of them fill a 96-column line.
    para = "政府は新しい路面電車の路線を火曜日に承認し、市長は来年の春に工事が始まると述べた。" * 6
    wrapped = [para[i : i + 48] for i in range(0, len(para), 48)]
    menu = ["ホーム", "ニュース", "スポーツ", "天気", "お問い合わせ"]
    page = "\n".join([*menu, "", *wrapped, "", *wrapped, "", *menu])
    assert [ln.text for ln in pt.split_lines(page)].count(para) == 2


def test_lynx_link_markers_count_in_the_wrap_column() -> None:
    # lynx wraps its "[12]" markers with the text: a line with markers that ends at column 88
    # once they are taken off was still a full line.
    words = PARAGRAPH.split()
    marked = " ".join(f"[{i}]{w}" if i % 3 == 0 else w for i, w in enumerate(words))
    menu = "\n".join(f"  * [{100 + i}]Section {i}" for i in range(8))
    plain, links = "\n".join(_wrap(PARAGRAPH, 100)), "\n".join(_wrap(marked, 100))
    page = "\n\n".join([menu, plain, plain, links, menu])
    texts = [ln.text for ln in pt.split_lines(page)]
    assert texts.count(PARAGRAPH) == 3


def test_a_page_laid_out_in_narrow_columns_keeps_its_article() -> None:
    # w3m draws a table layout's columns side by side, each wrapped at its own width (l3s-gn1,
    # newsone.ca: the article at 18 columns): no line is a sentence, but the page has an article.
    sentences = (
        "SEOUL, South Korea (AP) Special prosecutors raided the headquarters of Samsung Group on "
        "Tuesday in a widening probe into allegations of a slush fund.",
        "As the raid was occurring, Samsung Electronics said net profit in the fourth quarter "
        "fell 6.6 percent from a year ago amid sharp declines in chip prices.",
    )
    column = "\n\n".join("\n".join(textwrap.wrap(s, 18)) for s in sentences)
    page = "Home\nNews\nSport\n\nWeekly News\nA publication by\nPath Publishing\n\n" + column
    got = clean_text(page)
    assert got.text == "\n\n".join(sentences)
    assert "Home" not in got.text and "Path Publishing" not in got.text
    assert [" ".join(page[a:b].split()) for a, b in got.body_spans] == list(sentences)
