"""Asking which of two close shop intents the customer meant (customer_care.clarification)."""

import json

import pytest
import yaml

from customer_care.clarification import (
    CHOICES,
    NEITHER_PAYLOAD,
    clarification,
    close_pair,
    payload,
)
from customer_care.settings import PROJECT_ROOT


def ranking(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_every_shop_intent_of_the_domain_has_a_choice_and_nothing_else_does():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    conversation = {"greet", "goodbye", "affirm", "deny", "thank_you", "bot_challenge", "out_of_scope"}
    shop = {intent for intent in domain["intents"] if isinstance(intent, str)} - conversation
    assert set(CHOICES) == shop


def test_two_close_shop_intents_are_asked_about_best_first():
    assert close_pair(
        ranking(("nlu_fallback", 0.3), ("check_cancellation_fee", 0.41), ("cancel_order", 0.37), ("get_refund", 0.1))
    ) == ("check_cancellation_fee", "cancel_order")


@pytest.mark.parametrize(
    "entries",
    [
        (("track_order", 0.9), ("track_refund", 0.05)),  # sure enough: no question
        (("track_order", 0.45), ("out_of_scope", 0.4)),  # maybe nothing the shop does: the usual fallback
        (("greet", 0.4), ("track_order", 0.38)),
        (("track_order", 0.15), ("track_refund", 0.14), ("get_refund", 0.13)),  # lost, not torn between two
        (("track_order", 0.55),),
        (),
    ],
)
def test_no_question_when_the_nlu_did_not_hesitate_between_two_shop_intents(entries):
    assert close_pair(ranking(*entries)) is None
    assert clarification(ranking(*entries)) is None


def test_the_question_names_both_and_offers_a_way_out():
    asked = clarification(ranking(("cancel_order", 0.4), ("check_cancellation_fee", 0.38)))
    assert (asked.first_choice, asked.second_choice) == ("cancel an order", "know what cancelling costs")
    assert asked.buttons == [
        {"title": "Cancel an order", "payload": "/cancel_order"},
        {"title": "What cancelling costs", "payload": "/check_cancellation_fee"},
        {"title": "Something else", "payload": NEITHER_PAYLOAD},
    ]


def test_the_order_number_travels_with_the_choice_and_nothing_else_does():
    entities = [
        {"entity": "order_number", "value": "104233"},
        {"entity": "customer_name", "value": "Ana"},
        {"entity": "order_number", "value": "999999"},
    ]
    sent = payload("cancel_order", entities)
    assert sent.startswith("/cancel_order{")
    assert json.loads(sent[len("/cancel_order") :]) == {"order_number": "104233"}
    assert payload("cancel_order", [{"entity": "order_number", "value": 104233}]) == "/cancel_order"
