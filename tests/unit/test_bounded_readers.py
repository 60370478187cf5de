"""Bounded work per message (issue 14): every function that reads customer text caps it first and runs in linear
time, so no message, however long or odd, can hold up the turn of another customer.

Here every such function, on a long run of each piece that once made a rule backtrack; and the caps themselves.
The other test_bounded_*.py modules take each kind of reader in turn, with arbitrary text (bounded_input_helpers).
"""

import time
from datetime import datetime, timezone
from typing import Any, Callable, Dict

import pytest

from addons import nlu_export
from customer_care import masking, names
from customer_care.complaints import analyse_complaint, cleaning, confirmation_sentence, rendering, rephrase
from customer_care.issue_log import CategoryTrend, Report
from customer_care.masking import mask_personal_data
from customer_care.problem_phrases import problem_phrases
from customer_care.text_limits import (
    MAX_ANALYSIS_CHARACTERS,
    MAX_MESSAGE_CHARACTERS,
    MAX_METADATA_VALUE_CHARACTERS,
    MAX_NAME_CHARACTERS,
    capped,
)
from tests.unit.bounded_input_helpers import BUDGET_SECONDS, PIECES
from tools import issues_report

# The complaint rules are built before the first test (the conftest's warmed_up), not inside a call's budget.
pytestmark = pytest.mark.usefixtures("warmed_up")


# Every public function that takes customer text, as a call on one text.
READERS: Dict[str, Callable[[str], Any]] = {
    "mask_personal_data": mask_personal_data,
    "EMAIL_PATTERN.search": masking.EMAIL_PATTERN.search,
    "passes_luhn": masking.passes_luhn,
    "is_valid_iban": masking.is_valid_iban,
    "extract_name": names.extract_name,
    "introduces_name": names.introduces_name,
    "declines_to_give_name": names.declines_to_give_name,
    "looks_like_keyboard_mashing": names.looks_like_keyboard_mashing,
    "first_name": names.first_name,
    "analyse_complaint": analyse_complaint,
    "confirmation_sentence": confirmation_sentence,
    "normalise_text": cleaning.normalise_text,
    "count_profanity": cleaning.count_profanity,
    "without_swear_words": cleaning.without_swear_words,
    "remove_profanity": cleaning.remove_profanity,
    "agent_words+render": lambda text: rendering.render(rephrase.agent_words(text)),
    "render one word": lambda text: rendering.render([rendering.Word(text)]),
    "word_count": rendering.word_count,
    "shortened": rendering.shortened,
    "joined": lambda text: rendering.joined([text, text]),
    "problem_phrases": lambda text: problem_phrases([text, text]),
    "format_report phrase": lambda text: issues_report.format_report(_report_about(text)),
    "training_text": nlu_export.training_text,
    "render_example": lambda text: nlu_export.render_example(text, [{"entity": "x", "start": 0, "end": 3}]),
}


def _report_about(text: str) -> Report:
    return Report(
        days=7,
        since=datetime(2026, 3, 3, tzinfo=timezone.utc),
        until=datetime(2026, 3, 10, tzinfo=timezone.utc),
        total=2,
        previous_total=1,
        categories=[CategoryTrend(text, 2, 1)],
        kinds=[("complaint", 2)],
        phrases=[(text, 2)],
    )


@pytest.mark.parametrize("piece", PIECES)
def test_every_reader_takes_a_long_run_of_any_piece_quickly(piece: str) -> None:
    """Each piece repeated past the largest cap (and a longer run of it after a word), for every function."""
    for text in (piece * (2 * MAX_MESSAGE_CHARACTERS // len(piece) + 1), "word " + piece * 5_000 + " end"):
        for name, read in READERS.items():
            started = time.perf_counter()
            read(text)
            elapsed = time.perf_counter() - started
            assert elapsed < BUDGET_SECONDS, f"{name} took {elapsed:.2f} s on {piece!r} * {len(text) // len(piece)}"


# --- The caps ---------------------------------------------------------------------------------------------------


def test_the_caps_nest_and_cut_anything() -> None:
    assert MAX_NAME_CHARACTERS < MAX_METADATA_VALUE_CHARACTERS < MAX_ANALYSIS_CHARACTERS <= MAX_MESSAGE_CHARACTERS
    assert capped("x" * 10, 3) == "xxx" and capped(None, 3) == "" and capped(42, 3) == ""
