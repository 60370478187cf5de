"""Bounded work per message (issue 14) in the complaint paraphraser and categoriser: any text analysed, cleaned
and reworded within the budget; masked swear words and long runs, once quadratic, analysed quickly."""

import pytest
from hypothesis import given

from customer_care.complaints import analyse_complaint, cleaning, confirmation_sentence, rendering, rephrase
from customer_care.text_limits import MAX_ANALYSIS_CHARACTERS
from tests.unit.bounded_input_helpers import FAST, SLOW, customer_text, timed

# The complaint rules are built before the first test (the conftest's warmed_up), not inside a call's budget.
pytestmark = pytest.mark.usefixtures("warmed_up")


@SLOW
@given(customer_text)
def test_analysing_any_complaint_is_bounded(text: str) -> None:
    analysis = timed(analyse_complaint, text)
    assert analysis.raw_text == text
    assert analysis.category is not None
    assert len(analysis.paraphrase) <= MAX_ANALYSIS_CHARACTERS + 100  # from what was read, however long the message
    timed(confirmation_sentence, analysis.paraphrase)


@FAST
@given(customer_text)
def test_cleaning_any_text_is_bounded(text: str) -> None:
    normalised = timed(cleaning.normalise_text, text)
    assert len(normalised) <= 4 * MAX_ANALYSIS_CHARACTERS  # "a.io" becomes "the website": a little longer at most
    for function in (cleaning.count_profanity, cleaning.without_swear_words, cleaning.remove_profanity):
        timed(function, text)
        timed(function, normalised)


@FAST
@given(customer_text)
def test_rewording_any_text_is_bounded(text: str) -> None:
    words = timed(rephrase.agent_words, text)
    assert len(words) <= MAX_ANALYSIS_CHARACTERS
    timed(rendering.render, words)
    timed(rephrase.to_agent_voice, words)
    timed(rephrase.as_statement, words, True)
    timed(rendering.word_count, text)
    timed(rendering.shortened, text)
    timed(rendering.joined, [text, text, text])


def test_masked_swear_words_and_long_runs_are_analysed_quickly() -> None:
    """Each was quadratic (or worse) in the cleaning rules: a symbol run after a letter, a stretched swear word,
    whitespace before "up", runs of '!' or of spaces, a long dashed word."""
    for text in [
        "a" + "*" * 19_998 + "1",
        "fuc" + "k" * 19_990 + "*",
        "f" * 5_000 + "k" * 5_000 + "*",
        "balls" + " " * 19_990 + "x",
        "a" + " " * 19_998 + "b",
        "!" * 20_000,
        "a-" * 10_000,
        "a" + "\u1680" * 19_998 + "b",
        "<script " * 2_500,
        "broken" + " ," * 10_000,
    ]:
        analysis = timed(analyse_complaint, text)
        assert analysis.raw_text == text
        for function in (
            cleaning.normalise_text,
            cleaning.count_profanity,
            cleaning.without_swear_words,
            cleaning.remove_profanity,
            rendering.word_count,
            rendering.shortened,
        ):
            timed(function, text)
        timed(rendering.render, [rendering.Word(text)])
    assert cleaning.remove_profanity("this is sh*t") == "this is unacceptable"
    assert cleaning.count_profanity("f***ing hell, what a load of cr*p") == 2
    assert cleaning.remove_profanity("they fucked   -  up my order") == "they messed up my order"
