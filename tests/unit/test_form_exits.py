"""Small talk inside a form and leaving a form (actions/form_exits.py): which response, and how it reads."""

import pytest

from actions.form_exits import ActionLeaveForm, ActionSmallTalk
from customer_care.replies import Reply
from tests.unit.conftest import active_loops, make_tracker, slot_events
from tests.unit.domain_responses import rendered, sent


@pytest.mark.parametrize(
    "intent, response, text",
    [
        ("greet", "utter_small_talk_greet", "Hello again!"),
        ("thank_you", "utter_small_talk_thanks", "You're welcome!"),
        (
            "out_of_scope",
            "utter_small_talk_out_of_scope",
            "I'm afraid that's not something I can help with: I'm the shop's assistant.",
        ),
        ("affirm", "utter_small_talk_yes", "Go ahead, I'm listening."),
        ("nlu_fallback", "utter_small_talk_not_caught", "Sorry, I didn't quite catch that."),
        (None, "utter_small_talk_not_caught", "Sorry, I didn't quite catch that."),
    ],
)
def test_small_talk_inside_a_form_gets_a_short_answer(intent, response, text):
    replies, events = sent(ActionSmallTalk(), make_tracker("hm", intent, active_loop="track_order_form"))
    assert replies == [Reply(response)] and events == []
    assert rendered(replies[0]) == text


def test_are_you_a_bot_inside_a_form_gets_the_usual_answer():
    replies, _ = sent(ActionSmallTalk(), make_tracker("are you a bot", "bot_challenge", active_loop="name_form"))
    assert replies == [Reply("utter_iamabot")]


def test_never_mind_stops_the_form_and_says_so():
    tracker = make_tracker(
        "never mind", "deny", active_loop="change_address_form", slots={"shipping_address": "12 Rose"}
    )
    replies, events = sent(ActionLeaveForm(), tracker)
    assert replies == [Reply("utter_form_stopped")]
    assert rendered(replies[0]) == "No problem, I've stopped there. Is there anything else I can help you with?"
    assert active_loops(events) == [None]
    assert slot_events(events) == {"requested_slot": None, "shipping_address": None}


def test_a_goodbye_leaves_the_form_with_a_goodbye_and_a_new_request_with_nothing_said():
    replies, _ = sent(ActionLeaveForm(), make_tracker("bye", "goodbye", active_loop="track_order_form"))
    assert replies == [Reply("utter_goodbye")]
    replies, _ = sent(ActionLeaveForm(), make_tracker("track 109112", "track_order", active_loop="name_form"))
    assert replies == []


def test_leaving_an_urgent_hand_over_still_passes_it_on(tickets):
    slots = {"handoff_trigger": "safety", "handoff_summary": "Complaint: your heater sparked", "customer_email": ""}
    tracker = make_tracker("forget it", "deny", active_loop="handoff_form", slots=slots)
    replies, _ = sent(ActionLeaveForm(), tracker)
    ticket = tickets.open_for_conversation("test")
    assert replies == [
        Reply("utter_urgent_case_still_passed_on", {"ticket_id": ticket.id}),
        Reply("utter_form_stopped"),
    ]
    assert rendered(replies[0]) == (
        f"Because this is urgent, I've still passed it to our team (reference "
        f"#{ticket.id}); they'll reply here in this chat."
    )
