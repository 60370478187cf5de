"""The complaint and feedback actions, run as the action server runs them, on a temporary issue log."""

import asyncio
from datetime import date

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints import (
    ActionAskComplaintConfirmed,
    ActionAskComplaintText,
    ActionAskSolutionAccepted,
    ActionComplaintNotUnderstood,
    ActionFinishComplaint,
    ActionPauseFormForComplaint,
    ActionRecordFeedback,
    ValidateComplaintForm,
    ValidateFeedbackForm,
)
from actions.services import escalation_settings
from customer_care.escalation import Trigger
from customer_care.issue_log import IssueEntry
from customer_care.orders import SQLiteOrderBackend
from customer_care.sample_orders import sample_orders
from tests.unit.conftest import TODAY, active_loops, make_tracker, run_form_validation, slot_events
from tests.unit.domain_responses import said, sent

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
    texts, _ = said(ActionAskComplaintConfirmed(), make_tracker(slots={"complaint_paraphrase": "your lid is cracked"}))
    assert texts == ["So, if I understand correctly, your lid is cracked. Is that right?"]


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


def test_solution_uses_the_order_and_asks_whether_it_resolves_it(tmp_path, monkeypatch):
    # Orders delivered recently, as the live backend seeds them: still inside the return window today.
    recent = SQLiteOrderBackend(tmp_path / "recent.db", seed=lambda: sample_orders(date.today()))
    monkeypatch.setattr("actions.orders.order_backend", lambda: recent)
    tracker = make_tracker(
        slots={
            "complaint_category": "damaged_item",
            "order_number": "111920",
            "verified_orders": ["111920"],
            "complaint_severity": [],
            "customer_name": "Ana Lima",
        }
    )
    replies, _ = sent(ActionAskSolutionAccepted(), tracker)
    assert [reply.response for reply in replies] == [
        "utter_complaint_apology_damaged_item",
        "utter_complaint_replacement_or_refund",
        "utter_ask_solution_accepted",
    ]
    assert replies[0].values == {"name": "Ana"} and replies[1].values["order_number"] == "111920"
    texts, _ = said(ActionAskSolutionAccepted(), tracker)
    assert texts[0].startswith("Ana, I'm sorry your item arrived damaged")
    assert "order 111920" in texts[1] and "replacement" in texts[1]
    assert texts[2] == "Does that resolve it for you?"


def test_accepted_solution_is_logged_masked_and_leads_to_the_rating(log, backend):
    tracker = make_tracker(
        slots={
            "complaint_words": ["my card 4111 1111 1111 1111 was charged twice, mail me at ana@example.com"],
            "complaint_paraphrase": "your card was charged twice",
            "complaint_category": "billing",
            "complaint_severity": [],
            "complaint_confirmed": True,
            "solution_accepted": True,
        }
    )
    texts, events = said(ActionFinishComplaint(), tracker)
    assert slot_events(events)["complaint_outcome"] == "solution_offered"
    [entry] = log.entries()
    assert entry.kind == "complaint" and entry.category == "billing"
    assert "4111" not in entry.raw_text and "ana@example.com" not in entry.raw_text
    assert entry.outcome == "solution_accepted"


def test_twice_denied_paraphrase_is_handed_to_a_person(log, backend):
    tracker = make_tracker(
        slots={
            "complaint_words": ["meh", "no", "no"],
            "complaint_confirmed": False,
            "complaint_denials": 2,
            "interrupted_form": "track_order_form",
        }
    )
    texts, events = said(ActionFinishComplaint(), tracker)
    assert "couldn't get that right" in texts[0]
    slots = slot_events(events)
    assert slots["complaint_outcome"] == "escalated" and slots["interrupted_form"] is None
    assert slots["handoff_trigger"] == "paraphrase_denied"
    assert "meh / no / no" in slots["handoff_summary"]
    # Offered, not imposed (issue 13): handoff_offer_form asks whether the customer wants a person.
    assert active_loops(events) == ["handoff_offer_form"]
    assert "bring in" not in texts[0]
    [entry] = log.entries()
    assert (entry.kind, entry.outcome) == ("complaint", "escalated")


def test_declined_solution_is_handed_to_a_person(log, backend):
    tracker = make_tracker(
        slots={
            "complaint_paraphrase": "your order is late",
            "complaint_category": "late_delivery",
            "complaint_confirmed": True,
            "solution_accepted": False,
        }
    )
    texts, events = said(ActionFinishComplaint(), tracker)
    assert "doesn't solve it" in texts[0]
    assert slot_events(events)["handoff_trigger"] == "solution_declined"
    assert slot_events(events)["handoff_summary"] == "Complaint (confirmed): your order is late"
    assert active_loops(events) == ["handoff_offer_form"]


@pytest.mark.parametrize(
    "signal, trigger, priority",
    [
        ("safety", "safety", "urgent"),
        ("legal", "legal_threat", "high"),
        ("fraud", "fraud", "high"),
        ("anger", "strong_anger", "high"),
    ],
)
def test_a_severity_signal_hands_even_an_accepted_solution_to_a_person(log, backend, signal, trigger, priority):
    tracker = make_tracker(
        slots={
            "complaint_paraphrase": "your order is late",
            "complaint_category": "late_delivery",
            "complaint_severity": [signal],
            "complaint_confirmed": True,
            "solution_accepted": True,
        }
    )
    _, events = said(ActionFinishComplaint(), tracker)
    assert slot_events(events)["handoff_trigger"] == trigger
    assert slot_events(events)["handoff_severity"] == [signal]
    assert escalation_settings().priority(Trigger(trigger), [signal]) == priority
    if signal != "anger":  # safety, legal and fraud cases go to a person at once
        assert active_loops(events) == ["handoff_form"]


def test_strong_anger_is_offered_a_person_not_handed_over(log, backend):
    # An angry customer's solution is already a colleague's call-back; one who says no to it is asked, not
    # handed over (only a "yes" to that solution is agreement).
    tracker = make_tracker(
        slots={
            "complaint_paraphrase": "your kettle arrived broken",
            "order_number": "111920",
            "verified_orders": ["111920"],
            "complaint_category": "damaged_item",
            "complaint_severity": ["anger"],
            "complaint_confirmed": True,
            "solution_accepted": False,
        }
    )
    texts, events = said(ActionFinishComplaint(), tracker)
    assert slot_events(events)["handoff_trigger"] == "strong_anger"
    assert active_loops(events) == ["handoff_offer_form"] and "could look at this" in texts[-1]


def test_the_same_complaint_again_is_handed_to_a_person(log, backend):
    slots = {
        "complaint_paraphrase": "you were charged twice",
        "complaint_category": "billing",
        "complaint_severity": [],
        "complaint_confirmed": True,
        "solution_accepted": True,
    }
    _, first = said(ActionFinishComplaint(), make_tracker(slots=slots))
    assert slot_events(first)["complaint_outcome"] == "solution_offered"
    texts, second = said(ActionFinishComplaint(), make_tracker(slots=slots))
    assert slot_events(second)["handoff_trigger"] == "repeat_complaint"
    assert "had this problem before" in texts[0]


def test_a_return_past_the_window_is_handed_to_a_person(log, backend):
    old_order = next(
        order for order in sample_orders(TODAY) if order.delivered_on and (date.today() - order.delivered_on).days > 30
    )
    tracker = make_tracker(
        slots={
            "complaint_paraphrase": "your lamp arrived broken",
            "complaint_category": "damaged_item",
            "order_number": old_order.number,
            "verified_orders": [old_order.number],
            "complaint_severity": [],
            "complaint_confirmed": True,
            "solution_accepted": True,
        }
    )
    _, events = said(ActionFinishComplaint(), tracker)
    assert slot_events(events)["handoff_trigger"] == "not_allowed"


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


@pytest.mark.parametrize(
    "text, rating", [("5", 5), ("4/5", 4), ("three", 3), ("⭐⭐", 2), ("10", None), ("great", None)]
)
def test_rating_validation(text, rating):
    dispatcher = CollectingDispatcher()
    slots = ValidateFeedbackForm().validate_satisfaction_rating(text, dispatcher, make_tracker(text), {})
    assert slots == {"satisfaction_rating": rating}
    assert bool(dispatcher.messages) == (rating is None)


def test_declining_the_comment_leaves_it_empty():
    tracker = make_tracker("no thanks", "deny", slots={"requested_slot": "feedback_comment"})
    assert ValidateFeedbackForm().extract_feedback_comment(CollectingDispatcher(), tracker, {}) == {
        "feedback_comment": ""
    }


def feedback_reads(text, intent, asked="satisfaction_rating"):
    form, tracker = ValidateFeedbackForm(), make_tracker(text, intent, slots={"requested_slot": asked})
    extracted = {
        **form.extract_satisfaction_rating(CollectingDispatcher(), tracker, {}),
        **form.extract_feedback_comment(CollectingDispatcher(), tracker, {}),
        **form.extract_feedback_declined(CollectingDispatcher(), tracker, {}),
    }
    required_slots = asyncio.run(
        form.required_slots(["satisfaction_rating", "feedback_comment"], CollectingDispatcher(), tracker, {})
    )
    return extracted, required_slots


@pytest.mark.parametrize(
    "text, intent",
    [
        ("do you accept paypal?", "check_payment_methods"),
        ("where is my order 109112", "track_order"),
        ("thanks, bye", "goodbye"),
        ("never mind", "deny"),
        ("are you a bot?", "bot_challenge"),
        ("what's the weather like", "out_of_scope"),
    ],
)
def test_failure_3_a_new_question_or_goodbye_during_the_rating_is_no_rating(text, intent):
    # Nothing extracted: the form rejects the message and the rules answer the question.
    assert feedback_reads(text, intent) == ({}, ["satisfaction_rating", "feedback_comment"])


def test_failure_3_a_new_question_at_the_comment_is_no_comment():
    assert feedback_reads("do you accept paypal?", "check_payment_methods", asked="feedback_comment")[0] == {}
    assert feedback_reads("thanks, you were quick", "thank_you", asked="feedback_comment")[0] == {
        "feedback_comment": "thanks, you were quick"
    }


@pytest.mark.parametrize("text, intent", [("no thanks", "deny"), ("skip", "nlu_fallback"), ("I'd rather not", "deny")])
def test_declining_the_rating_skips_the_feedback(text, intent, log):
    assert feedback_reads(text, intent) == ({"feedback_declined": True}, ["feedback_declined"])
    texts, _ = said(ActionRecordFeedback(), make_tracker(slots={"feedback_declined": True}))
    assert texts[0] == "No problem." and log.entries() == []


def test_a_rating_is_read_whatever_the_intent():
    assert feedback_reads("4", "affirm")[0] == {"satisfaction_rating": 4}
    assert feedback_reads("great", "nlu_fallback")[0] == {"satisfaction_rating": "great"}  # validation asks again


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


def test_rating_is_stored_with_the_complaint(log):
    log.record(IssueEntry(conversation_id="test", kind="complaint", paraphrase="your lid is cracked"))
    texts, events = said(
        ActionRecordFeedback(), make_tracker(slots={"satisfaction_rating": 4.0, "feedback_comment": "quick, thanks"})
    )
    [entry] = log.entries()
    assert (entry.rating, entry.comment) == (4, "quick, thanks")
    assert "4 out of 5" in texts[0] and "anything else" in texts[1]


def test_rating_resumes_the_paused_form(log):
    log.record(IssueEntry(conversation_id="test", kind="complaint"))
    tracker = make_tracker(slots={"satisfaction_rating": 5.0, "interrupted_form": "cancel_order_form"})
    texts, events = said(ActionRecordFeedback(), tracker)
    assert texts[-1] == "Now, back to where we were."
    assert slot_events(events)["interrupted_form"] is None
    assert any(event["event"] == "active_loop" and event["name"] == "cancel_order_form" for event in events)


def in_form(form, text, intent, requested, **slots):
    tracker = make_tracker(text, intent, slots={"requested_slot": requested, **slots}, active_loop=form)
    tracker.events.append({"event": "slot", "name": "requested_slot", "value": requested})
    return tracker


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


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("4 stars", "review", {"satisfaction_rating": 4}),
        ("5", "out_of_scope", {"satisfaction_rating": 5}),
        ("no thanks", "deny", {"feedback_declined": True, "requested_slot": None}),
        ("do you accept paypal?", "check_payment_methods", {}),
    ],
)
def test_the_whole_feedback_validation(text, intent, expected):
    tracker = in_form("feedback_form", text, intent, "satisfaction_rating")
    _, slots = run_form_validation(ValidateFeedbackForm(), tracker)
    assert slots == expected
