from newsdesk.nlp import language, sentences, tokens


def _sentences(s: str) -> list[str]:
    return [s[a:b] for a, b in sentences.sentence_spans(s)]


def test_empty_text_has_no_sentences():
    assert sentences.sentence_spans("") == []


def test_abbreviations_do_not_split():
    s = "The U.S. envoy met Dr. Smith on Jan. 5 in Geneva. They talked for an hour."
    assert _sentences(s) == [
        "The U.S. envoy met Dr. Smith on Jan. 5 in Geneva.",
        "They talked for an hour.",
    ]


def test_spans_are_offsets_into_the_input():
    s = "  First one.  Second one?\n\nThird paragraph!  "
    spans = sentences.sentence_spans(s)
    assert [s[a:b] for a, b in spans] == ["First one.", "Second one?", "Third paragraph!"]


def test_quote_closing_after_period_stays_in_sentence():
    s = "“We never reached that point,” he said. The talks ended."
    assert _sentences(s)[0] == "“We never reached that point,” he said."


def test_reading_minutes_at_least_one():
    assert tokens.reading_minutes(0) == 1
    assert tokens.reading_minutes(460, 230) == 2
    assert tokens.reading_minutes(461, 230) == 3


def test_language_detection():
    assert (
        language.detect_language("The delegation arrived in Istanbul for a new round of talks.")
        == "en"
    )
    assert (
        language.detect_language("Делегация прибыла в Стамбул на новый раунд переговоров.") == "ru"
    )
    assert language.detect_language("ok") is None


def test_tokenized_text_with_standalone_quotes() -> None:
    # CNN/DailyMail as distributed: space-separated tokens, PTB or straight quotes
    s = "he asked ; ' if i look great , what the hell ? ' Then , fallon gave him ice cream . `` We are done , '' he said . It ended ."
    assert _sentences(s) == [
        "he asked ; ' if i look great , what the hell ? '",
        "Then , fallon gave him ice cream .",
        "`` We are done , '' he said .",
        "It ended .",
    ]


def test_initials_and_dotted_abbreviations_do_not_split() -> None:
    s = "A judge ordered V. Stiviano to pay. The case began at 11:30 a.m. Thursday in L.A. court."
    assert _sentences(s) == [
        "A judge ordered V. Stiviano to pay.",
        "The case began at 11:30 a.m. Thursday in L.A. court.",
    ]


def test_lower_case_after_full_stop_does_not_split() -> None:
    assert len(_sentences("Prices rose 3.5 per cent. in March... and fell later.")) == 1


def test_line_breaks() -> None:
    s = "Headline without a full stop\nThe first sentence follows. A second one.\n\nNew paragraph here"
    assert _sentences(s) == [
        "Headline without a full stop",
        "The first sentence follows.",
        "A second one.",
        "New paragraph here",
    ]
    wrapped = "The minister said the talks\nwould resume next week. Nobody objected."
    assert _sentences(wrapped) == [
        "The minister said the talks\nwould resume next week.",
        "Nobody objected.",
    ]


def test_question_and_exclamation_with_closing_quote() -> None:
    s = "“Why now?” she asked. “Never!” he replied. Then silence."
    assert _sentences(s) == ["“Why now?” she asked.", "“Never!” he replied.", "Then silence."]
