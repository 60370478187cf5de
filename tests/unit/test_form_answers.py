"""What a message is to a form's question: an answer, a polite "no", or a way out (issue 13)."""

import time

import pytest

from customer_care.form_answers import (
    DECLINE,
    NOT_AN_ANSWER,
    Kind,
    Reading,
    declines,
    is_question,
    looks_like_address,
    read_address,
    read_comment,
    read_email,
    read_handoff_offer,
    read_name,
    read_paraphrase_confirmation,
    read_rating,
    read_yes_no,
    wants_to_leave,
)

LEAVING = [
    ("never mind", "deny"),
    ("forget it", "deny"),
    ("stop", "deny"),
    ("oh never mind, thanks", "deny"),
    ("thanks, bye", "goodbye"),
    ("bye", "goodbye"),
]
NEW_QUESTIONS = [
    ("do you accept paypal?", "check_payment_methods"),
    ("how long does delivery take?", "delivery_period"),
    ("where is my order 109112", "track_order"),
]
SMALL_TALK = [
    ("hello?", "greet"),
    ("are you a bot", "bot_challenge"),
    ("how much has the dow changed today", "out_of_scope"),
]


@pytest.mark.parametrize(
    "text",
    [
        "never mind",
        "Nevermind!",
        "forget it",
        "forget about it",
        "stop",
        "stop asking",
        "please stop",
        "cancel that",
        "no, forget it",
        "I changed my mind",
        "leave it",
    ],
)
def test_leaving(text):
    assert wants_to_leave(text)


@pytest.mark.parametrize(
    "text",
    ["no", "no thanks", "stop sending me emails about my order 104233", "my parcel never arrived", "I don't mind"],
)
def test_not_leaving(text):
    assert not wants_to_leave(text)


@pytest.mark.parametrize("text", ["no", "no thanks", "skip", "I'd rather not", "nothing else to add", "n/a", "nope."])
def test_declining(text):
    assert declines(text)


def test_questions():
    assert is_question("do you accept paypal") and is_question("paypal?") and not is_question("my lid is cracked")


@pytest.mark.parametrize("text, intent", LEAVING + NEW_QUESTIONS + SMALL_TALK)
def test_failure_2_every_form_question_lets_the_customer_leave_or_ask_something_new(text, intent):
    if intent == "out_of_scope":  # "that doesn't look like an e-mail address", which names the ways out
        assert read_email(intent, text) == Reading(Kind.ANSWER, text)
    else:
        assert read_email(intent, text) == NOT_AN_ANSWER
    assert read_rating(intent, text) == NOT_AN_ANSWER
    assert read_address(intent, text) == NOT_AN_ANSWER
    assert read_paraphrase_confirmation(intent, text, is_correction=False) == NOT_AN_ANSWER
    assert read_yes_no(intent, text) == NOT_AN_ANSWER
    assert read_name(intent, text) in (NOT_AN_ANSWER, DECLINE)  # "never mind" to the name question declines it
    if intent != "goodbye" or text == "bye":
        assert read_comment(intent, text) == NOT_AN_ANSWER


@pytest.mark.parametrize("text", ["3", " 42 ", "#2", "10/10", "+49 30 1234"])
@pytest.mark.parametrize("intent", ["affirm", "deny", "contact_human_agent", "nlu_fallback"])
def test_a_bare_number_is_no_yes_or_no_whatever_the_intent(text, intent):
    assert read_yes_no(intent, text) == NOT_AN_ANSWER
    assert read_handoff_offer(intent, text) == NOT_AN_ANSWER
    assert read_paraphrase_confirmation(intent, text, is_correction=False) == NOT_AN_ANSWER


def test_a_yes_with_a_number_in_it_is_still_a_yes():
    assert read_yes_no("affirm", "yes, 2 of them") == Reading(Kind.ANSWER, True)
    assert read_handoff_offer("affirm", "yes 👍") == Reading(Kind.ANSWER, True)
    assert read_paraphrase_confirmation("affirm", "yes 100%", False) == Reading(Kind.ANSWER, True)


def test_answers():
    assert read_email("nlu_fallback", "it's Ana.Lima@Example.com") == Reading(Kind.ANSWER, "ana.lima@example.com")
    assert read_email("deny", "no") == DECLINE and read_email("nlu_fallback", "skip") == DECLINE
    # validation then says it is no address
    assert read_email("nlu_fallback", "ana at example") == Reading(Kind.ANSWER, "ana at example")
    assert read_rating("affirm", "4 stars") == Reading(Kind.ANSWER, 4)
    assert read_rating("deny", "no thanks") == DECLINE
    assert read_comment("thank_you", "thanks, that was quick") == Reading(Kind.ANSWER, "thanks, that was quick")
    assert read_comment("deny", "nothing to add") == DECLINE
    assert read_paraphrase_confirmation("affirm", "yes", False) == Reading(Kind.ANSWER, True)
    assert read_paraphrase_confirmation("complaint", "no, the lid was cracked", True) == Reading(Kind.ANSWER, False)
    assert read_paraphrase_confirmation("get_refund", "no, is my refund coming?", True) == Reading(Kind.ANSWER, False)
    assert read_handoff_offer("deny", "never mind") == Reading(Kind.ANSWER, False)
    assert read_address("nlu_fallback", "Am Wall 7, 28195 Bremen") == Reading(Kind.ANSWER, "Am Wall 7, 28195 Bremen")
    assert read_address("change_shipping_address", "send it to 12 Rose Lane, Leeds LS1 4AB") == Reading(
        Kind.ANSWER, "send it to 12 Rose Lane, Leeds LS1 4AB"
    )
    assert looks_like_address("12 Rose Lane") and not looks_like_address("Rose Lane")


@pytest.mark.parametrize("text", ["Berlin", "Rose Lane, Leeds", "  Kurfürstendamm  "])
def test_a_place_name_the_nlu_calls_out_of_scope_is_an_attempt_at_the_address(text):
    # Validation then asks for the street, number, postcode and city, instead of "not something I can help with".
    assert read_address("out_of_scope", text) == Reading(Kind.ANSWER, " ".join(text.split()))


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather in Berlin?",
        "how much has the dow changed today",
        "please play some relaxing jazz music in the kitchen now",
        "forget it",
    ],
)
def test_an_out_of_scope_question_or_request_during_the_address_question_is_not_taken_as_the_address(text):
    assert read_address("out_of_scope", text) == NOT_AN_ANSWER


@pytest.mark.parametrize(
    "text, intent, name",
    [
        ("I'm Ana", "greet", "Ana"),
        ("call me Bob", "contact_customer_service", "Bob"),
        ("Ana here", "nlu_fallback", "Ana"),
        ("Ana", "nlu_fallback", "Ana"),
        ("it's Priya Natarajan", "greet", "Priya Natarajan"),
    ],
)
def test_failure_1_name_replies(text, intent, name):
    assert read_name(intent, text) == Reading(Kind.ANSWER, name)


@pytest.mark.parametrize(
    "text, intent",
    [
        ("I'd rather not say", "deny"),
        ("no thanks", "deny"),
        ("skip", "nlu_fallback"),
        ("I'd rather not say", "nlu_fallback"),
    ],
)
def test_failure_1_declining_the_name(text, intent):
    assert read_name(intent, text) == DECLINE


def test_long_input_is_capped_and_read_in_linear_time():
    started = time.perf_counter()
    for text in ["never " * 20_000, "no " * 50_000, "a" * 200_000 + "@x.com", "?" * 100_000, "1 " * 100_000]:
        for read in (read_email, read_rating, read_comment, read_address, read_name, read_yes_no, read_handoff_offer):
            read("nlu_fallback", text)
    assert time.perf_counter() - started < 1.0
