"""Quote extraction: seed pages, quotation-mark styles, nested and split quotes, the filter."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsdesk import api, pipeline
from newsdesk.cli import app
from newsdesk.stages.quotes.extract import extract
from newsdesk.stages.quotes.linking import link
from newsdesk.stages.quotes.spans import (
    _apposition_subject,
    _evidential,
    _fallback_content,
    _passive_question,
    _subject,
    speaker_chars,
    tidy_speaker,
)
from newsdesk.stages.quotes.speakers import resolve_speakers
from newsdesk.stages.quotes.tokens import tokenize
from newsdesk.views.quotes import quotes, quotes_for_article
from tests.conftest import SEEDS


def _by_content(text: str, found: list[dict], needle: str) -> dict:
    for q in found:
        if any(needle in text[s:e] for s, e in q["content"]):
            return q
    raise AssertionError(f"no quote containing {needle!r}: {[q['content'] for q in found]}")


def seed_jsonl(tmp_path):
    """The seed pages' texts as JSONL records (the store tests do not depend on page cleaning)."""
    path = tmp_path / "seeds.jsonl"
    rows = [
        {
            "url": f"https://example.org/{p.stem}",
            "title": p.stem,
            "text": p.read_text(encoding="utf-8"),
        }
        for p in sorted(SEEDS.glob("*.txt"))
    ]
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def _seed_text(name: str) -> str:
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


# -- edge cases first -------------------------------------------------------------------------
def test_empty_and_quote_free_text():
    assert extract("") == []
    assert extract("The sun rose over the city. Markets opened higher.") == []


def test_tokens_keep_offsets_and_quote_depth():
    text = "“They know,” he said. ‘Fine’"
    toks = tokenize(text)
    assert [text[s:e] for s, e in zip(toks.starts, toks.ends, strict=True)] == toks.words
    depth = dict(zip(toks.words, toks.in_quote, strict=False))
    assert depth["They"] == 1 and depth["he"] == 0


# -- quotation-mark styles ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("open_", "close"),
    [("“", "”"), ('"', '"'), ("«", "»"), ("„", "“"), ("‘", "’")],
)
def test_quote_mark_styles(open_, close):
    text = (
        "The talks ended late on Friday.\n\n"
        f"{open_}We will not give up our land under any pressure,{close} Foreign Minister Andriy Sybiha said."
    )
    found = extract(text)
    q = _by_content(text, found, "We will not give up")
    assert q["kind"] == "direct"
    assert text[q["cue"][0] : q["cue"][1]] == "said"
    assert q["speaker_name"] == "Andriy Sybiha"
    assert q["role"] == "Foreign Minister"


def test_nested_quote_stays_inside_the_outer_quote():
    text = (
        "“They told us ‘this is the final offer’ and walked out of the room,” "
        "Deputy Foreign Minister Serhiy Kyslytsia said."
    )
    found = extract(text)
    q = _by_content(text, found, "walked out")
    content = " ".join(text[s:e] for s, e in q["content"])
    assert "‘this is the final offer’" in content
    assert q["speaker_name"] == "Serhiy Kyslytsia"


def test_split_quote_across_sentences_goes_to_one_speaker():
    text = (
        "“We never reached that point,” Kyslytsia said. “They came with a rigid mandate and "
        "they had to defend it.”"
    )
    found = extract(text)
    first = _by_content(text, found, "never reached")
    second = _by_content(text, found, "rigid mandate")
    assert first["speaker_name"] == second["speaker_name"] == "Kyslytsia"


def test_reported_speech_with_according_to():
    text = (
        "The delegation never intended to discuss peace, according to Ukraine’s Deputy Foreign "
        "Minister Serhiy Kyslytsia."
    )
    q = _by_content(text, extract(text), "discuss peace")
    assert q["kind"] == "reported"
    assert text[q["cue"][0] : q["cue"][1]] == "according to"
    assert q["speaker_name"] == "Serhiy Kyslytsia"
    assert q["role"] == "Deputy Foreign Minister"


# -- seed pages ---------------------------------------------------------------------------------
def test_seed_000_direct_quotes_are_kyslytsias():
    text = _seed_text("000")
    found = extract(text)
    for needle in (
        "They know very well",
        "You have to put your arguments",
        "It’s important to understand",
    ):
        q = _by_content(text, found, needle)
        assert q["kind"] == "direct"
        assert q["speaker_name"] == "Serhiy Kyslytsia", needle
        assert q["role"] == "Deputy Foreign Minister", needle


def test_seed_004_reported_statements_go_to_the_ukrainian_foreign_minister():
    text = _seed_text("004")
    found = extract(text)
    for needle in (
        "the Istanbul talks had not produced",
        "not genuine agreements",
        "significant sacrifices",
    ):
        q = _by_content(text, found, needle)
        assert q["kind"] == "reported"
        assert q["speaker_name"] == "the Ukrainian foreign minister", needle


# -- the filter and the store ---------------------------------------------------------------------
def test_filter_offsets_point_at_the_exact_text():
    text = _seed_text("000")
    rec = {"id": "seed-000", "text": text}
    result = CliRunner().invoke(
        app, ["quotes", "-"], input=json.dumps(rec, ensure_ascii=False) + "\n"
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[0])
    assert out["id"] == "seed-000"
    assert out["quotes"]
    for q in out["quotes"]:
        assert set(q) == {"content", "cue", "speaker", "speaker_name", "role", "kind"}
        for s, e in q["content"]:
            assert 0 <= s < e <= len(text)
            assert text[s:e].strip() == text[s:e]
    q = _by_content(text, out["quotes"], "They know very well")
    assert text[q["speaker"][0] : q["speaker"][1]] == "he"
    assert text[q["cue"][0] : q["cue"][1]] == "noted"


def test_filter_rejects_non_json_line():
    result = CliRunner().invoke(app, ["quotes", "-"], input="not json\n")
    assert result.exit_code == 1
    assert "line 1" in result.output


def test_stage_stores_quotes_and_read_functions(store, settings, tmp_path):
    report = api.ingest([str(seed_jsonl(tmp_path))], store, settings, run_stages=False)
    assert report.ok
    pipeline.run(store, settings, only=["quotes"])
    art = next(a for a in store.iter_articles() if "Kyslytsia" in a.text)
    stored = quotes_for_article(store, art.id)
    assert stored
    for sq in stored:
        assert sq.text == " … ".join(art.text[s:e] for s, e in sq.quote.content)
    by = quotes(store, speaker="kyslytsia")
    assert len(by) >= 3
    assert all("Kyslytsia" in (sq.quote.speaker_name or "") for sq in by)
    assert quotes(store, speaker="kyslytsia", limit=1, offset=1)[0].id == by[1].id


# -- linking post-processing rules ---------------------------------------------------------------
def _labels(toks, marks: dict[str, str]) -> list[str]:
    """Labels for ``toks`` from ``{"first..last word": "S|C|Q"}`` (each phrase found once)."""
    labels = ["O"] * len(toks.words)
    for phrase, kind in marks.items():
        words = tokenize(phrase).words
        for i in range(len(toks.words) - len(words) + 1):
            if toks.words[i : i + len(words)] == words:
                labels[i] = "B-" + kind
                for k in range(i + 1, i + len(words)):
                    labels[k] = "I-" + kind
                break
        else:
            raise AssertionError(phrase)
    return labels


def test_quotation_continues_the_previous_sentences_quote_not_the_next_cue():
    text = (
        "“It’s my last chance,” said Stacey Edwards. “I’ve been a fan for 20 years.” "
        "Edwards and others said they could not support Clinton."
    )
    toks = tokenize(text)
    labels = _labels(
        toks,
        {
            "“It’s my last chance,”": "Q",
            "said": "C",
            "Stacey Edwards": "S",
            "“I’ve been a fan for 20 years.”": "Q",
            "Edwards and others": "S",
            "said they": "O",
            "they could not support Clinton": "Q",
        },
    )
    labels[toks.words.index("said", 12)] = "B-C"
    atts = link(toks, labels)
    first = next(a for a in atts if toks.words[a.cue[0]] == "said" and a.cue[0] < 10)
    assert len(first.content) == 2  # both quotations are Edwards's
    last = next(a for a in atts if a is not first)
    assert [" ".join(toks.words[i:j]) for i, j in last.content] == [
        "they could not support Clinton"
    ]


def test_quotation_after_a_reported_sentence_keeps_the_nearest_cue():
    # the previous sentence's cue has no quotation of its own: nothing to continue
    text = "Edwards said she was tired. “We are done,” Smith said."
    toks = tokenize(text)
    labels = _labels(
        toks,
        {"Edwards": "S", "said she": "O", "she was tired": "Q", "“We are done,”": "Q"},
    )
    labels[toks.words.index("said")] = "B-C"
    labels[len(toks.words) - 2] = "B-C"
    labels[len(toks.words) - 3] = "B-S"
    atts = link(toks, labels)
    done = next(a for a in atts if any(toks.words[i] == "“" for i, _ in a.content))
    assert toks.words[done.source[0]] == "Smith"


def test_party_and_state_end_no_sentence():
    toks = tokenize("“No,” said Rep. Bobby Scott (D-Va.) at the time, adding that it was. Then.")
    assert toks.sentence[toks.words.index("said")] == toks.sentence[toks.words.index("adding")]
    assert toks.sentence[toks.words.index("Then")] != toks.sentence[toks.words.index("adding")]


def test_reported_cue_does_not_take_the_next_paragraphs_quotation():
    # a quotation paragraph with no cue continues a quote, not reported speech
    text = "Edwards said she was tired.\n\n“We are done. We go home.”"
    toks = tokenize(text)
    labels = _labels(
        toks,
        {"Edwards": "S", "said she": "O", "she was tired": "Q", "“We are done. We go home.”": "Q"},
    )
    labels[toks.words.index("said")] = "B-C"
    atts = link(toks, labels)
    assert [" ".join(toks.words[i:j]) for a in atts for i, j in a.content] == ["she was tired"]


@pytest.mark.parametrize(
    ("text", "speaker", "want"),
    [
        # an apposition's closing comma belongs to the speaker (PolNeAR gold)
        (
            "Jack Mozloom, a spokesman for the group, said it was bad.",
            "Jack Mozloom, a spokesman for the group",
            "Jack Mozloom, a spokesman for the group,",
        ),
        # a bare name's comma does not
        ("“No,” Prager, said.", "Prager,", "Prager"),
        # nor a trailing relative pronoun
        (
            "Jose Yepez, a council member, who said no.",
            "Jose Yepez, a council member, who",
            "Jose Yepez, a council member,",
        ),
        ("Smith said so.", "Smith", "Smith"),
        # a time adverb the tagger left at the end
        ("Lewandowski earlier said so.", "Lewandowski earlier", "Lewandowski"),
        ("Weld, who said so.", "Weld, who", "Weld"),
        # edges PolNeAR gold leaves out: a fronted phrase, an adverb, a time phrase
        ("Of Sanders, McCaskill said no.", "Of Sanders, McCaskill", "McCaskill"),
        ("Cruz gingerly said no.", "Cruz gingerly", "Cruz"),
        ("Priebus on Thursday said no.", "Priebus on Thursday", "Priebus"),
        ("Rules which officials said were bad.", "which officials", "officials"),
        # and edges it keeps: a closing parenthesis, the object of "of"
        (
            "“No,” said Rep. Bobby Scott (D-Va.) at the time.",
            "Rep. Bobby Scott (D-Va.",
            "Rep. Bobby Scott (D-Va.)",
        ),
        (
            "“No,” said Paul Sperry of Counter Jihad.",
            "Paul Sperry of",
            "Paul Sperry of Counter Jihad",
        ),
        # a parenthetical after the speaker is not part of it; an apposition is
        ("Clinton, in her campaign, said no.", "Clinton, in her campaign,", "Clinton"),
        (
            "Trump, appearing after Clinton at the forum, said no.",
            "Trump, appearing after Clinton at the forum,",
            "Trump",
        ),
        (
            "Sanders, a senator, meanwhile, said no.",
            "Sanders, a senator, meanwhile,",
            "Sanders, a senator,",
        ),
        (
            "Murshed Zaheed, acting political director of CREDO, said no.",
            "Murshed Zaheed, acting political director of CREDO,",
            "Murshed Zaheed, acting political director of CREDO,",
        ),
        # the stop that ends the sentence, not an abbreviation's dot
        (
            "“No,” said Acs, a student from Reno.",
            "Acs, a student from Reno.",
            "Acs, a student from Reno",
        ),
        (
            "“No,” said Ms. Lee of Fresno, Calif.",
            "Ms. Lee of Fresno, Calif.",
            "Ms. Lee of Fresno, Calif.",
        ),
        # a relative pronoun whose clause stands between it and the cue: the name and clause
        (
            "Mrs. Clinton, who did not say it, said no.",
            "who",
            "Mrs. Clinton, who did not say it,",
        ),
    ],
)
def test_tidy_speaker(text, speaker, want):
    toks = tokenize(text)
    start = text.index(speaker)
    i = toks.starts.index(start)
    j = max(k for k in range(len(toks.words)) if toks.ends[k] <= start + len(speaker)) + 1
    cue = len(toks.words) - 1 - toks.words[::-1].index("said")
    s, e = toks.char_span(*tidy_speaker(toks, (i, j), (cue, cue + 1)))
    assert text[s:e] == want


def test_a_quoted_title_in_a_speaker_is_not_a_person():
    text = "Milley acted, according to passages of “Peril,” a book from Woodward."
    q = {"cue": [text.index("according"), text.index("according") + 12], "content": [[0, 13]]}
    q["speaker"] = [text.index("passages"), text.index(" a book")]
    resolve_speakers(text, [q])
    assert q["speaker_name"] != "Peril" and q["speaker_kind"] != "person"


@pytest.mark.parametrize(
    ("text", "cue", "want"),
    [
        (
            "Scot Ross, executive director of One Wisconsin Now, said the numbers were high.",
            "said",
            "Scot Ross, executive director of One Wisconsin Now,",
        ),
        ("“It grew,” said Ms. Gil, with a smile.", "said", "Ms. Gil"),
        ("In the end, the numbers, he said, were high.", "said", None),
    ],
)
def test_apposition_subject(text, cue, want):
    toks = tokenize(text)
    k = toks.words.index(cue)
    span = _apposition_subject(toks, (k, k + 1))
    assert (toks.text[slice(*toks.char_span(*span))] if span else None) == want


@pytest.mark.parametrize(
    ("text", "cue", "want"),
    [
        ("Clinton still seems to be tired.", ("still", "seems", "to"), True),
        ("He reportedly left.", ("reportedly",), True),
        ("He seemed to confirm it.", ("seemed", "to", "confirm"), False),
    ],
)
def test_bare_evidential_cues(text, cue, want):
    toks = tokenize(text)
    k = toks.words.index(cue[0])
    assert _evidential(toks, (k, k + len(cue))) is want


def test_pronoun_contraction_is_not_part_of_the_speaker():
    toks = tokenize("He’s said it before.")
    s, e = speaker_chars(toks, (0, 1))
    assert toks.text[s:e] == "He"


@pytest.mark.parametrize(
    ("text", "cue", "passive"),
    [
        ("When asked about it, Smith said no.", "asked", True),
        ("Asked whether he would run, Smith said no.", "Asked", True),
        ("Smith was asked about it.", "asked", True),
        ("Sanders, who is said to want it, left.", "said", True),
        ("Asked by Matt Lauer whether she had practiced, she said no.", "Asked", False),
        ("Smith asked whether it was true.", "asked", False),
        ("Smith said it was true.", "said", False),
    ],
)
def test_passive_cues_have_no_speaker(text, cue, passive):
    toks = tokenize(text)
    k = toks.words.index(cue)
    assert _passive_question(toks, (k, k + 1)) is passive


@pytest.mark.parametrize(
    ("text", "cue", "want"),
    [
        # what the cue introduces, up to the sentence's end
        (
            "Cardin stressed that the way to proceed is together. Then he left.",
            "stressed",
            "that the way to proceed is together",
        ),
        # at the sentence's end: the words before the speaker
        (
            "And he finds that in government work, he said. Then he left.",
            "said",
            "And he finds that in government work",
        ),
    ],
)
def test_fallback_content_for_a_cue_the_tagger_gave_none(text, cue, want):
    toks = tokenize(text)
    k = toks.words.index(cue)
    found = _fallback_content(toks, (k, k + 1), (k - 1, k))
    assert found is not None
    s, e = toks.char_span(*found[0])
    assert text[s:e] == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # the name right after the cue, ending the clause
        ("“Having no movements for hours,” wrote Nordstrom. Then he left.", "Nordstrom"),
        # the clause's subject before the cue, title and initial included (as PolNeAR marks it)
        (
            "U.S. Judge Carlton W. Reeves late on Thursday wrote “no” twice.",
            "Judge Carlton W. Reeves",
        ),
        # a place after a preposition is not the subject
        ("When Trump spoke about Orlando and said “protect them” it rang.", "Trump"),
        ("After the vote she said “we are done” to reporters.", "she"),
        # a role phrase right after the cue
        ("“It’s hard,” said the Florida senator, “because it is.”", "the Florida senator"),
        ("“He is a leader,” said the 46-year-old. “Now he will go.”", "the 46-year-old"),
        # a name right after the quotation it speaks
        ("“I think she will,” Gillibrand replied. “Yes.”", "Gillibrand"),
    ],
)
def test_subject_fallback_for_a_cue_without_speaker(text, want):
    toks = tokenize(text)
    cue_word = next(w for w in ("wrote", "said", "replied") if w in toks.words)
    c = toks.words.index(cue_word)
    span = _subject(toks, (c, c + 1))
    assert span is not None
    s, e = toks.char_span(*span)
    assert text[s:e] == want


def test_subject_fallback_finds_nothing_in_a_nameless_clause():
    toks = tokenize("In the end the crowd said “yes” loudly.")
    c = toks.words.index("said")
    assert _subject(toks, (c, c + 1)) is None


def test_subject_fallback_skips_names_that_do_not_open_a_clause():
    text = (
        "On Monday, Warren appeared with MSNBC’s Rachel Maddow and endorsed Clinton, saying “yes.”"
    )
    toks = tokenize(text)
    c = toks.words.index("saying")
    s, e = toks.char_span(*_subject(toks, (c, c + 1)))
    assert text[s:e] == "Warren"


def test_quotation_skips_a_later_unquoted_cue_of_the_previous_sentence():
    text = (
        "“You make mistakes along the trail,” Johnson said in Concord, referring to a town hall. "
        "“If I had to do that over again, I’d have said no.”"
    )
    toks = tokenize(text)
    labels = _labels(
        toks,
        {
            "“You make mistakes along the trail,”": "Q",
            "Johnson": "S",
            "said": "C",
            "referring to": "C",
            "a town hall": "Q",
            "“If I had to do that over again, I’d have said no.”": "Q",
        },
    )
    atts = link(toks, labels)
    said = next(a for a in atts if toks.words[a.cue[0]] == "said")
    assert len(said.content) == 2
    assert toks.words[said.source[0]] == "Johnson"
