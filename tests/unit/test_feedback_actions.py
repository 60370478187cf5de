"""The feedback form and its action, run as the action server runs them on a temporary issue log: the rating
read in its many shapes, a comment or none, declining, and what is not a rating; the rating stored with the
complaint, and the paused form resumed."""

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints import ActionRecordFeedback, ValidateFeedbackForm
from customer_care.issue_log import IssueEntry
from tests.unit.complaint_helpers import in_form
from tests.unit.conftest import make_tracker, run_form_validation, slot_events
from tests.unit.domain_responses import said


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
