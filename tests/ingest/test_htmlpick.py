"""The second main-text candidate of an HTML page and the learned choice between the two."""

from __future__ import annotations

import json

import numpy as np

from newsdesk.ingest import htmlpick
from newsdesk.ingest.html import extract_candidates, extract_page
from newsdesk.ingest.plaintext.trees import Trees

PARAS = [
    "The regional parliament approved the new housing law on Thursday after a debate that lasted "
    "more than nine hours, with 61 members voting in favour and 44 against the proposal.",
    "The law caps rent increases at three percent a year for the next five years and obliges "
    "landlords to register every flat they let, a requirement tenant groups had demanded.",
]


def page() -> str:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    return (
        "<html><head><title>Housing law passes</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/politics'>Politics</a></nav>"
        f"<article><h1>Housing law passes</h1>{paras}</article>"
        "<footer>Subscribe to our newsletter.</footer></body></html>"
    )


def stump(value: float) -> tuple[Trees, float]:
    """One leaf: every page gets the same probability that the second text is better."""
    blob = {
        "feature": [0],
        "threshold": [0.0],
        "left": [0],
        "right": [0],
        "value": [value],
        "roots": [0],
        "depth": 0,
        "base": 0.0,
    }
    return Trees.from_json(blob), 0.5


def test_the_second_candidate_is_resiliparse_main_text_and_the_page_text():
    second = htmlpick.second(page())
    assert second is not None
    assert PARAS[0] in second.text and PARAS[1] in second.text
    assert "Subscribe" in second.page_text  # the whole visible text, for density features


def test_features_of_both_texts():
    fields, first, second = extract_candidates(page(), "https://courier.example.com/a")
    assert second is not None and fields["title"] == "Housing law passes"
    x = htmlpick.features(first, second)
    assert x.shape == (len(htmlpick.FEATURES),) and np.isfinite(x).all()
    a_in_b = x[htmlpick.FEATURES.index("a_in_b")]
    assert a_in_b > 0.9  # both hold the article's two paragraphs


def test_the_choice_follows_the_model():
    b = htmlpick.Second("second text", "page")
    text, p = htmlpick.choose("first text", b, stump(5.0))
    assert text == "second text" and p > 0.99
    assert htmlpick.choose("first text", b, stump(-5.0))[0] == "first text"
    assert htmlpick.choose("first text", None, stump(5.0))[0] == "first text"
    assert htmlpick.choose("first text", htmlpick.Second(" ", ""), stump(5.0))[0] == "first text"


def test_a_page_keeps_a_text_whichever_is_picked():
    out = extract_page(page(), "https://courier.example.com/a")
    assert PARAS[0] in out["text"] and "Home" not in out["text"]


def test_shipped_model_names_its_features_and_threshold():
    blob = json.loads(htmlpick.MODEL_PATH.read_text(encoding="utf-8"))
    assert blob["features"] == list(htmlpick.FEATURES)
    assert 0.0 < blob["threshold"] <= 1.0
