"""Excerpts end at a sentence or a word, never after an abbreviation or an initial."""

from newsdesk.nlp.sentences import excerpt


def test_short_text_is_kept_whole_with_its_spaces_normalised() -> None:
    assert excerpt("Talks  resumed\non Friday.", 100) == "Talks resumed on Friday."


def test_cut_at_the_last_sentence_that_fits_not_after_an_initial() -> None:
    text = (
        "The court ruled on Friday. Judges James C. Ho and Kurt D. Engelhardt wrote the majority "
        "opinion, which the state will appeal to the Supreme Court next week."
    )
    out = excerpt(text, 60)
    assert out == "The court ruled on Friday."
    assert "C…" not in out and "C...." not in out


def test_a_long_first_sentence_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = "Judges James C. Ho and Kurt D. Engelhardt wrote the majority opinion on Friday."
    out = excerpt(text, 30)
    assert out.endswith("…") and len(out) <= 30
    assert out == "Judges James C. Ho and Kurt…"
    assert excerpt("Judges James C. Ho wrote it.", 15) == "Judges James…"
