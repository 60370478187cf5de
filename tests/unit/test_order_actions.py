"""The order actions and their forms (tracking, refunds, cancelling, a new address), run as the action server runs
them, against a temporary order database."""

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import (
    ActionAskConfirmCancellation,
    ActionCancelOrder,
    ActionChangeShippingAddress,
    ActionTrackOrder,
    ActionTrackRefund,
    ValidateCancelOrderForm,
    ValidateChangeAddressForm,
    ValidateTrackOrderForm,
)
from customer_care.identity import VerifiedCustomer
from customer_care.orders import OrderStatus
from customer_care.replies import Reply
from tests.unit.conftest import make_tracker, run_form_validation, slot_events
from tests.unit.domain_responses import as_reply, rendered, said, sent

# Order number validation (shared by all four forms)


def validate(form, value, slots=None):
    dispatcher = CollectingDispatcher()
    result = form.validate_order_number(value, dispatcher, make_tracker(str(value), slots=slots), {})
    return result, [as_reply(message) for message in dispatcher.messages]


def test_valid_order_number_is_normalised_and_nothing_is_said_about_it(backend):
    assert validate(ValidateTrackOrderForm(), "#104233") == ({"order_number": "104233"}, [])
    assert validate(ValidateTrackOrderForm(), "999999") == ({"order_number": "999999"}, [])


def test_wrong_length_is_explained_and_asked_again(backend):
    result, replies = validate(ValidateTrackOrderForm(), "12345")
    assert result == {"order_number": None} and replies == [Reply("utter_order_number_wrong_length", {"digits": 6})]


def test_unknown_order_of_a_signed_in_customer_is_handled_kindly(backend):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("999999", customer=VerifiedCustomer("c-1", "sarah.becker@mailbox.example"))
    result = ValidateCancelOrderForm().validate_order_number("999999", dispatcher, tracker, {})
    assert result == {"order_number": None}
    [reply] = [as_reply(message) for message in dispatcher.messages]
    assert reply.response == "utter_unknown_order_on_account" and reply.values["order_number"] == "999999"
    assert "couldn't find an order with the number 999999 in your account" in rendered(reply)


def required_slots(form, order_number):
    tracker = make_tracker(slots={"order_number": order_number, "verified_orders": [order_number]})
    domain_slots = (
        ["order_number", "confirm_cancellation"]
        if isinstance(form, ValidateCancelOrderForm)
        else ["order_number", "shipping_address"]
    )
    return asyncio.run(form.required_slots(domain_slots, CollectingDispatcher(), tracker, {}))


def test_cancel_form_asks_for_confirmation_only_when_cancellable(backend):
    assert required_slots(ValidateCancelOrderForm(), "104233") == ["order_number", "confirm_cancellation"]
    assert required_slots(ValidateCancelOrderForm(), "109112") == ["order_number"]


def test_address_form_asks_for_an_address_only_before_shipping(backend):
    assert required_slots(ValidateChangeAddressForm(), "104233") == ["order_number", "shipping_address"]
    assert required_slots(ValidateChangeAddressForm(), "111920") == ["order_number"]


@pytest.mark.parametrize(
    "address, valid",
    [
        ("Lindenstraße 12, 10969 Berlin", True),
        ("  Flat 2,   14 Baker Street,  London NW1 6XE ", True),
        ("Berlin", False),
        ("12345", False),
        ("<script>alert(1)</script> 12 Street", False),
        ("x" * 300 + " 1", False),
    ],
)
def test_shipping_address_validation(address, valid):
    dispatcher = CollectingDispatcher()
    result = ValidateChangeAddressForm().validate_shipping_address(address, dispatcher, make_tracker(address), {})
    if valid:
        assert result == {"shipping_address": " ".join(address.split())} and not dispatcher.messages
    else:
        assert result == {"shipping_address": None}
        assert [as_reply(message) for message in dispatcher.messages] == [Reply("utter_invalid_shipping_address")]


# Submit actions


def proved(number: str) -> dict:
    """The slots of a chat where the customer asked about `number` and proved it (e-mail or postcode)."""
    return {"order_number": number, "verified_orders": [number]}


def test_track_order(backend):
    texts, _ = said(ActionTrackOrder(), make_tracker(slots={**proved("109112")}))
    assert "on its way with DHL" in texts[0]


def test_track_refund(backend):
    texts, _ = said(ActionTrackRefund(), make_tracker(slots={**proved("115060")}))
    assert "approved" in texts[0]


def test_ask_confirm_cancellation_shows_the_order(backend):
    texts, _ = said(ActionAskConfirmCancellation(), make_tracker(slots={**proved("104587")}))
    assert "Linen duvet cover" in texts[0] and texts[0].endswith("Shall I cancel it?")


def test_confirmed_cancellation_cancels(backend):
    slots = {**proved("104587"), "confirm_cancellation": True, "customer_name": "Tom Okafor"}
    replies, events = sent(ActionCancelOrder(), make_tracker(slots=slots))
    assert [reply.response for reply in replies] == ["utter_order_cancelled"] and replies[0].values["name"] == "Tom"
    assert rendered(replies[0], slots).startswith("Done, Tom: order 104587 is cancelled")
    assert backend.find_order("104587").status == OrderStatus.CANCELLED
    assert slot_events(events) == {"confirm_cancellation": None}


def test_declined_cancellation_keeps_the_order(backend):
    texts, _ = said(ActionCancelOrder(), make_tracker(slots={**proved("104587"), "confirm_cancellation": False}))
    assert "stays as it is" in texts[0]
    assert backend.find_order("104587").status == OrderStatus.PROCESSING


def test_shipped_order_is_not_cancelled(backend):
    texts, _ = said(ActionCancelOrder(), make_tracker(slots={**proved("118902"), "confirm_cancellation": True}))
    assert "already left our warehouse" in texts[0]
    assert backend.find_order("118902").status == OrderStatus.SHIPPED


def test_change_address(backend):
    slots = {**proved("120455"), "shipping_address": "Am Wall 7, 28195 Bremen"}
    texts, events = said(ActionChangeShippingAddress(), make_tracker(slots=slots))
    assert texts[0] == "Done: order 120455 will now be delivered to Am Wall 7, 28195 Bremen."
    assert backend.find_order("120455").shipping_address == "Am Wall 7, 28195 Bremen"
    assert slot_events(events) == {"shipping_address": None}


def test_change_address_of_shipped_order_is_refused(backend):
    texts, _ = said(ActionChangeShippingAddress(), make_tracker(slots={**proved("110348")}))
    assert "already left our warehouse" in texts[0]


def test_actions_without_an_order_number_do_not_crash(backend):
    for action in (ActionTrackOrder(), ActionTrackRefund(), ActionCancelOrder(), ActionChangeShippingAddress()):
        replies, _ = sent(action, make_tracker())
        assert replies == [Reply("utter_not_understood")]


def test_the_whole_address_validation(backend):
    tracker = make_tracker(
        "12 Rose Lane, Leeds LS1 4AB",
        "out_of_scope",
        active_loop="change_address_form",
        slots={"requested_slot": "shipping_address", **proved("120455")},
    )
    tracker.events.append({"event": "slot", "name": "requested_slot", "value": "shipping_address"})
    address = "12 Rose Lane, Leeds LS1 4AB"
    assert run_form_validation(ValidateChangeAddressForm(), tracker)[1] == {
        "shipping_address": address,
        "requested_slot": None,
    }
    tracker = make_tracker(
        "do you accept paypal?",
        "check_payment_methods",
        active_loop="change_address_form",
        slots={"requested_slot": "shipping_address", **proved("120455")},
    )
    # No address in it: nothing is filled, and the form still asks for the address.
    assert run_form_validation(ValidateChangeAddressForm(), tracker)[1] == {"requested_slot": "shipping_address"}
