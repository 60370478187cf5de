"""How a complaint ends, run as the action server runs it on a temporary issue log: the solution for the order,
logged masked when accepted, or a person offered or brought in (denied twice, declined, a severity signal, the same
complaint again, a return past its window)."""

from datetime import date

import pytest

from actions.complaints import ActionAskSolutionAccepted, ActionFinishComplaint
from actions.services import escalation_settings
from customer_care.escalation import Trigger
from customer_care.orders import SQLiteOrderBackend
from customer_care.sample_orders import sample_orders
from tests.unit.conftest import TODAY, active_loops, make_tracker, slot_events
from tests.unit.domain_responses import said, sent


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
