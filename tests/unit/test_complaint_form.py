"""The complaint form, run as the action server runs it: the description read and paraphrased, the paraphrase
offered for confirmation (and corrected after a denial), the order number asked only for order problems, and what
is not an answer to its questions."""

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint_form import ValidateComplaintForm
from actions.complaints import ActionAskComplaintText, ActionComplaintNotUnderstood, ActionPauseFormForComplaint
from customer_care.replies import Reply
from tests.unit.complaint_helpers import in_form
from tests.unit.conftest import make_tracker, run_form_validation, slot_events
from tests.unit.domain_responses import rendered, said

FORM_SLOTS = ["complaint_text", "complaint_confirmed", "order_number", "solution_accepted"]


def required(tracker):
    return asyncio.run(ValidateComplaintForm().required_slots(FORM_SLOTS, CollectingDispatcher(), tracker, {}))


def validate(method, value, tracker):
    dispatcher = CollectingDispatcher()
    return getattr(ValidateComplaintForm(), method)(value, dispatcher, tracker, {}), dispatcher.messages


def test_a_specific_complaint_is_analysed_at_once():
    text = "my kettle arrived with a cracked lid and I want a replacement"
    slots, _ = validate("validate_complaint_text", text, make_tracker(text, "complaint"))
    assert slots["complaint_text"] == text
    assert slots["complaint_paraphrase"].startswith("your kettle arrived")
    assert slots["complaint_category"] == "damaged_item"
    assert slots["complaint_words"] == [text]


def test_an_announced_complaint_is_not_paraphrased_yet():
    slots, _ = validate(
        "validate_complaint_text", "I want to make a complaint", make_tracker("I want to make a complaint", "complaint")
    )
    assert slots["complaint_text"] is None
    assert slots["complaint_words"] == ["I want to make a complaint"]


def test_the_clarification_is_added_to_the_customers_words():
    tracker = make_tracker(
        "the blender stopped working after two days",
        "complaint",
        slots={"complaint_words": ["I have a complaint"], "requested_slot": "complaint_text"},
    )
    slots, _ = validate("validate_complaint_text", "the blender stopped working after two days", tracker)
    assert slots["complaint_words"] == ["I have a complaint", "the blender stopped working after two days"]
    assert slots["complaint_paraphrase"]


def test_clarifying_question_depends_on_what_happened_before():
    assert said(ActionAskComplaintText(), make_tracker())[0] == [
        "I'm sorry to hear that. Could you please describe the problem in more detail?"
    ]
    assert (
        "describe the problem"
        in said(ActionAskComplaintText(), make_tracker(slots={"complaint_words": ["I have a complaint"]}))[0][0]
    )
    assert (
        "a little more"
        in said(ActionAskComplaintText(), make_tracker(slots={"complaint_words": ["complaint", "bad"]}))[0][0]
    )
    assert "What did I get wrong?" in said(ActionAskComplaintText(), make_tracker(slots={"complaint_denials": 1}))[0][0]


def test_paraphrase_is_offered_for_confirmation():
    # The form asks with the response itself (no action_ask_*): Rasa fills in the paraphrase slot.
    asked = rendered(Reply("utter_ask_complaint_confirmed"), {"complaint_paraphrase": "your lid is cracked"})
    assert asked == "So, if I understand correctly, your lid is cracked. Is that right?"


def test_first_denial_asks_for_the_correction():
    slots, _ = validate("validate_complaint_confirmed", False, make_tracker("no", "deny"))
    assert slots == {
        "complaint_confirmed": None,
        "complaint_denials": 1,
        "complaint_text": None,
        "complaint_paraphrase": None,
    }


def test_a_denial_with_the_correction_is_paraphrased_again():
    text = "no, the parcel came three weeks late"
    slots, _ = validate("validate_complaint_confirmed", False, make_tracker(text, "deny"))
    assert slots["complaint_confirmed"] is None and slots["complaint_denials"] == 1
    assert "three weeks late" in slots["complaint_paraphrase"]
    assert slots["complaint_category"] == "late_delivery"


def test_second_denial_stops_guessing():
    tracker = make_tracker("no", "deny", slots={"complaint_denials": 1})
    slots, _ = validate("validate_complaint_confirmed", False, tracker)
    assert slots == {"complaint_confirmed": False, "complaint_denials": 2}
    assert required(make_tracker(slots={"complaint_denials": 2})) == []


def test_order_number_is_needed_only_for_order_problems():
    assert "order_number" in required(make_tracker(slots={"complaint_category": "damaged_item"}))
    assert "order_number" not in required(make_tracker(slots={"complaint_category": "account_login"}))
    declined = required(make_tracker(slots={"complaint_category": "damaged_item", "complaint_order_declined": True}))
    assert "order_number" not in declined and "complaint_order_declined" in declined


def test_not_understood_reprompts_only_for_yes_or_no_questions():
    assert (
        "yes or no"
        in said(ActionComplaintNotUnderstood(), make_tracker(slots={"requested_slot": "complaint_confirmed"}))[0][0]
    )
    assert said(ActionComplaintNotUnderstood(), make_tracker(slots={"requested_slot": "complaint_text"}))[0] == [
        "Sorry, I didn't quite follow that."
    ]


def test_complaint_pauses_the_order_form_and_keeps_the_message():
    tracker = make_tracker("the last parcel came smashed", "complaint", active_loop="track_order_form")
    _, events = said(ActionPauseFormForComplaint(), tracker)
    assert any(event["event"] == "active_loop" and event["name"] is None for event in events)
    assert slot_events(events)["interrupted_form"] == "track_order_form"
    assert slot_events(events)["complaint_text"] == "the last parcel came smashed"


def test_no_order_number_to_hand_is_accepted():
    asked = {"requested_slot": "order_number", "complaint_category": "damaged_item"}
    declining = make_tracker("no", "deny", slots=asked)
    assert "complaint_order_declined" in required(declining) and "order_number" not in required(declining)
    extract = ValidateComplaintForm().extract_complaint_order_declined
    assert extract(CollectingDispatcher(), declining, {}) == {"complaint_order_declined": True}
    with_number = make_tracker(
        "104233", "track_order", slots=asked, entities=[{"entity": "order_number", "value": "104233"}]
    )
    assert extract(CollectingDispatcher(), with_number, {}) == {}
    assert extract(CollectingDispatcher(), make_tracker("I don't remember it", "nlu_fallback", slots=asked), {}) == {
        "complaint_order_declined": True
    }
    for leaving in (
        make_tracker("never mind", "deny", slots=asked),
        make_tracker("bye", "goodbye", slots=asked),
        make_tracker("do you accept paypal?", "check_payment_methods", slots=asked),
    ):
        assert extract(CollectingDispatcher(), leaving, {}) == {}


def confirmation_reads(text, intent):
    tracker = make_tracker(text, intent, slots={"requested_slot": "complaint_confirmed"})
    return ValidateComplaintForm().extract_complaint_confirmed(CollectingDispatcher(), tracker, {})


def test_paraphrase_confirmation_takes_yes_no_and_corrections_but_not_new_questions():
    assert confirmation_reads("yes exactly", "affirm") == {"complaint_confirmed": True}
    assert confirmation_reads("no", "deny") == {"complaint_confirmed": False}
    assert confirmation_reads("no, the lid was cracked, not the jar", "complaint") == {"complaint_confirmed": False}
    assert confirmation_reads("no, my refund never arrived", "track_refund") == {"complaint_confirmed": False}
    for text, intent in [
        ("do you accept paypal?", "check_payment_methods"),
        ("forget it", "deny"),
        ("bye", "goodbye"),
        ("how much has the dow changed today", "out_of_scope"),
        ("hello?", "greet"),
        ("are you a bot", "bot_challenge"),
    ]:
        assert confirmation_reads(text, intent) == {}, text


def description_reads(text, intent, requested="complaint_text", active="complaint_form"):
    tracker = make_tracker(text, intent, slots={"requested_slot": requested}, active_loop=active)
    return ValidateComplaintForm().extract_complaint_text(CollectingDispatcher(), tracker, {})


def test_out_of_domain_messages_are_never_taken_as_a_complaint():
    assert description_reads("how much has the dow changed today", "out_of_scope") == {}
    assert description_reads("how much has the dow changed today", "nlu_fallback") == {}
    assert description_reads("what's the capital of Peru?", "out_of_scope", requested=None, active=None) == {}
    assert description_reads("hi", "greet") == {}


def test_a_description_is_taken_whatever_it_sounds_like():
    text = "the blender I got last week leaks from the bottom"
    assert description_reads(text, "nlu_fallback") == {"complaint_text": text}
    assert description_reads(text, "complaint") == {"complaint_text": text}
    starting = "I want to complain, my parcel arrived soaking wet"
    assert description_reads(starting, "complaint", requested=None, active=None) == {"complaint_text": starting}
    # As the form starts, Rasa already reports it active, with nothing requested yet.
    assert description_reads(starting, "complaint", requested=None) == {"complaint_text": starting}


def test_an_interrupting_complaint_keeps_the_message_the_pause_action_kept():
    tracker = make_tracker(
        "where is it", "track_order", slots={"complaint_text": "the vase broke"}, active_loop="complaint_form"
    )
    assert ValidateComplaintForm().extract_complaint_text(CollectingDispatcher(), tracker, {}) == {}


def test_a_described_problem_the_nlu_files_as_out_of_scope_is_still_a_description():
    text = "I went on Motorola's website and followed all directions, but could not get it to pair again"
    assert description_reads(text, "out_of_scope") == {"complaint_text": text}


def test_solution_question_takes_yes_no_but_not_a_goodbye():
    def reads(text, intent):
        tracker = make_tracker(text, intent, slots={"requested_slot": "solution_accepted"})
        return ValidateComplaintForm().extract_solution_accepted(CollectingDispatcher(), tracker, {})

    assert reads("yes thanks", "thank_you") == {"solution_accepted": True}
    assert reads("no it doesn't", "deny") == {"solution_accepted": False}
    assert reads("forget it", "deny") == {} and reads("bye", "goodbye") == {}


def test_the_whole_complaint_validation_takes_the_first_message_as_the_description():
    text = "I want to complain, the lid of my new kettle arrived cracked and I'd like a replacement"
    _, slots = run_form_validation(ValidateComplaintForm(), in_form("complaint_form", text, "complaint", None))
    assert slots["complaint_text"] == text and slots["complaint_paraphrase"].startswith("the lid of your new kettle")


def test_the_whole_complaint_validation_rejects_an_out_of_domain_description():
    _, slots = run_form_validation(
        ValidateComplaintForm(),
        in_form("complaint_form", "how much has the dow changed today", "out_of_scope", "complaint_text"),
    )
    assert "complaint_text" not in slots and "complaint_paraphrase" not in slots


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("yes", "affirm", {"complaint_confirmed": True}),
        ("do you accept paypal?", "check_payment_methods", {}),
        ("never mind", "deny", {}),
    ],
)
def test_the_whole_complaint_validation_reads_the_confirmation(text, intent, expected):
    slots = {
        "complaint_text": "my lid is cracked",
        "complaint_paraphrase": "your lid is cracked",
        "complaint_category": "other",
    }
    _, result = run_form_validation(
        ValidateComplaintForm(), in_form("complaint_form", text, intent, "complaint_confirmed", **slots)
    )
    assert {key: value for key, value in result.items() if key == "complaint_confirmed"} == expected
