"""Complaint analysis on whatever arrives: long rants capped to what carries the problem, empty, unreadable,
foreign, binary or markup text, and long input quickly, always with an analysis and never the last-resort fallback.

All messages are made up for these tests, written the way customers write to an online shop.
"""

import logging
import time

import pytest

from customer_care.complaints import (
    ComplaintAnalysis,
    IssueCategory,
    Severity,
    analyse_complaint,
    confirmation_sentence,
)


def short_id(value: object) -> str:
    """Readable test ids for long or odd inputs."""
    text = ascii(value)[1:-1] if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def test_long_run_on_rant_is_capped_and_keeps_several_problems() -> None:
    rant = (
        "So I ordered the oak bookcase and the matching side table and the delivery people turned up four "
        "hours late without calling and when they finally came they dragged the boxes across my new floor "
        "and scratched it and the bookcase has a split right down the back panel and the side table is "
        "missing two legs and nobody answers the phone"
    )
    paraphrase = analyse_complaint(rant).paraphrase
    words = paraphrase.split()
    assert 8 <= len(words) <= 30
    assert words[-1].lower() not in {"and", "but", "the", "a", "to", "of", "with", "your", "so"}
    problems = ("late", "scratched", "split", "missing")
    assert sum(problem in paraphrase for problem in problems) >= 2


def test_rant_keeps_the_problem_and_the_wish_and_drops_the_venting() -> None:
    analysis = analyse_complaint(
        "Absolutely DISGUSTING. I have never been treated like this. Your company is a joke. The blender I "
        "bought leaks everywhere. I want a replacement sent out this week."
    )
    assert analysis.paraphrase == (
        "the blender you bought leaks everywhere and you want a replacement sent out this week"
    )
    assert analysis.category is IssueCategory.DAMAGED_ITEM
    assert analysis.wants == "a replacement"
    assert Severity.ANGER in analysis.severity


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\n\t",
        "?!?!",
        "😡😡😡🤬",
        "12345",
        "a" * 10_000,
        "my parcel is broken and " * 450,
        "<script>alert('x')</script>",
        "<p>My <b>parcel</b> is late</p>",
        "Mi pedido no ha llegado y estoy muy enfadado",
        "Mon colis est arrivé cassé",
        "我的包裹坏了",
        "\x00\x01\x02\x7f\x1b[31m",
        "\ud800\udfff lone surrogates",
        bytes(range(256)).decode("latin-1"),
        "why",
        "why did you?",
        "Dear Sir/Madam,",
        "Thanks, Jo",
        "you",
        "I",
        "'s n't 'm",
        "https://larkspur.example/orders/123 @larkspur #help",
        ", , , - - - ( ( (",
    ],
    ids=short_id,
)
def test_any_text_gives_an_analysis(text: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        analysis = analyse_complaint(text)
    assert not caplog.records  # the rules handled it, not the last-resort fallback
    assert isinstance(analysis, ComplaintAnalysis)
    assert analysis.raw_text == text
    assert isinstance(analysis.paraphrase, str) and len(analysis.paraphrase.split()) <= 30
    assert len(analysis.paraphrase) <= 400
    assert analysis.confirmation == confirmation_sentence(analysis.paraphrase)
    assert isinstance(analysis.category, IssueCategory)
    assert all(isinstance(signal, Severity) for signal in analysis.severity)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😡😡😡", "<script>alert(1)</script>", "我的包裹坏了", "Mon colis est arrivé cassé", "a" * 10_000],
    ids=short_id,
)
def test_empty_or_unreadable_text_is_not_specific(text: str) -> None:
    analysis = analyse_complaint(text)
    assert analysis.paraphrase == ""
    assert analysis.confirmation == ""
    assert analysis.is_specific is False
    assert analysis.wants is None


def test_markup_is_read_as_text() -> None:
    analysis = analyse_complaint("<p>My <b>parcel</b> is late &amp; the box is crushed</p>")
    assert analysis.paraphrase == "your parcel is late & the box is crushed"


def test_long_input_stays_fast() -> None:
    analyse_complaint("warm up")
    started = time.perf_counter()
    analyse_complaint("my parcel is broken and I want a refund " * 300)
    assert time.perf_counter() - started < 1.0
