"""Bounded work per message (issue 14) in masking personal data and reading names: any text, however long, in
linear time; the digit runs and the names of 10,000 spaces that took seconds before, and still read right."""

import random
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_care import masking, names
from customer_care.masking import CARD_MASK, PHONE_MASK, mask_personal_data
from customer_care.text_limits import MAX_MESSAGE_CHARACTERS
from tests.unit.bounded_input_helpers import FAST, best_time, customer_text, timed

# The complaint rules are built before the first test (the conftest's warmed_up), not inside a call's budget.
pytestmark = pytest.mark.usefixtures("warmed_up")


# --- Masking ----------------------------------------------------------------------------------------------------


@FAST
@given(customer_text)
def test_masking_any_text_is_bounded(text: str) -> None:
    masked = timed(mask_personal_data, text)
    assert isinstance(masked, str) and len(masked) <= MAX_MESSAGE_CHARACTERS
    assert timed(mask_personal_data, masked) == masked  # a masked text has nothing left to mask
    timed(masking.EMAIL_PATTERN.search, text)  # the hand-over and the forms search raw replies with it


@FAST
@given(st.one_of(customer_text, st.text(alphabet="0123456789", max_size=60)))
def test_the_luhn_check_takes_any_text(text: str) -> None:
    assert timed(masking.passes_luhn, text) in (True, False)


def test_digit_runs_of_20000_characters_are_masked_quickly() -> None:
    """Was 7.7 s (and 6.8 s for another customer's message sent meanwhile): the phone rules backtracked."""
    personal = "card 4111 1111 1111 1111, call +44 20 7946 0958 or 07700 900123, order 104233: "
    rng = random.Random(14)
    runs = {
        "dialling prefixes": ("+1" + "1" * 40 + " ") * 466,
        "00 prefixes": ("0044" + "7" * 30 + " ") * 588,
        "single digits": "1 " * 10_000,
        "dashed pairs": "12-" * 6_667,
        "trunk zeros": "01 " * 6_667,
        "random runs": " ".join(str(rng.randrange(10 ** rng.randint(0, 9))) for _ in range(4_000)),
    }
    for name, run in runs.items():
        text = (personal + run)[:20_000]
        masked = timed(mask_personal_data, text)
        assert masked.startswith(f"card {CARD_MASK}, call {PHONE_MASK} or {PHONE_MASK}, order 104233: "), name
        assert len(masked) <= MAX_MESSAGE_CHARACTERS, name


def test_masking_stays_linear_up_to_the_cap() -> None:
    """Twice the text takes about twice the time (the old card rule was quadratic: 1,2,3... digit groups)."""
    for piece in ("1 ", "12-", "+1" + "1" * 40 + " ", "a.", "4111.1111.", "jane at a dot "):
        short = piece * (MAX_MESSAGE_CHARACTERS // 4 // len(piece))
        full = piece * (MAX_MESSAGE_CHARACTERS // len(piece))
        short_time = best_time(partial(mask_personal_data, short))
        full_time = best_time(partial(mask_personal_data, full))
        assert full_time < 0.1, (piece, full_time)
        assert full_time < 10 * short_time + 0.005, (piece, short_time, full_time)  # linear: 4x; quadratic: 16x


def test_a_cut_message_never_keeps_half_a_card_number() -> None:
    """A card number that straddles the cap is dropped with the rest, not left half unmasked."""
    for cut_inside in range(0, 20):
        text = "x" * (MAX_MESSAGE_CHARACTERS - cut_inside) + " 4111 1111 1111 1111 and more"
        masked = mask_personal_data(text)
        assert "4111" not in masked and "111" not in masked[-25:]
        assert len(masked) <= MAX_MESSAGE_CHARACTERS


# --- Names ------------------------------------------------------------------------------------------------------


@FAST
@given(customer_text)
def test_reading_a_name_from_any_text_is_bounded(text: str) -> None:
    name = timed(names.extract_name, text)
    assert name is None or (0 < len(name) <= names.MAX_NAME_LENGTH and name == name.strip())
    assert timed(names.introduces_name, text) in (True, False)
    assert timed(names.declines_to_give_name, text) in (True, False)
    assert timed(names.looks_like_keyboard_mashing, text) in (True, False)
    first = timed(names.first_name, text)
    assert first is None or (first and not any(char.isspace() for char in first))


def test_a_name_of_10000_spaces_is_read_quickly() -> None:
    """Was 4.6 s as a page-metadata name: the "... here" rule searched a run of spaces from every space in it
    (and a blank name made first_name raise)."""
    cases = [  # text, name, first name, introduces a name, declines to give one
        (" " * 10_000, None, None, False, False),
        ("\t \n" * 3_400, None, None, False, False),
        (" " * 10_000 + "Ana here", None, None, False, False),  # past the cap: what is read holds no name
        ("hi" + " " * 10_000 + "x", None, "hi", False, False),
        ("no" + " " * 10_000 + "x", None, "no", False, True),
        ("Ana" + " " * 10_000 + "here", "Ana", "Ana", False, False),
        ("my name is" + " " * 10_000, None, "my", True, False),
    ]
    for text, name, first, introduces, declines in cases:
        assert timed(names.extract_name, text) == name
        assert timed(names.first_name, text) == first
        assert timed(names.introduces_name, text) is introduces
        assert timed(names.declines_to_give_name, text) is declines
        assert timed(names.looks_like_keyboard_mashing, text) is False
    assert names.extract_name("  Ana   here  ") == "Ana" and names.introduces_name("Ana   here again")
    assert names.first_name("  Ana  Lima ") == "Ana"
