from datetime import timedelta

import pytest

from customer_care import order_replies
from customer_care.orders import OrderNumberProblem
from customer_care.replies import Reply
from customer_care.sample_orders import sample_orders
from tests.unit.conftest import TODAY
from tests.unit.domain_responses import DOMAIN, rendered


def test_format_day_is_relative_near_today():
    assert order_replies.format_day(TODAY, TODAY) == "today"
    assert order_replies.format_day(TODAY + timedelta(days=1), TODAY) == "tomorrow"
    assert order_replies.format_day(TODAY - timedelta(days=1), TODAY) == "yesterday"
    assert order_replies.format_day(TODAY + timedelta(days=3), TODAY) == "Friday, 13 March"


@pytest.mark.parametrize(
    "number, response, values",
    [
        ("104233", "utter_order_processing_with_date", {"expected_day": "Friday, 13 March"}),
        (
            "109112",
            "utter_order_shipped",
            {"carrier": "DHL", "tracking_code": "JD014600006281234561", "expected_day": "tomorrow"},
        ),
        ("110348", "utter_order_out_for_delivery", {"carrier": "Hermes"}),
        ("111920", "utter_order_delivered", {"delivered_day": "Monday, 2 March", "carrier": "DPD"}),
        ("117388", "utter_order_was_cancelled", {}),
        ("113777", "utter_order_returned", {}),
    ],
)
def test_tracking_status_by_order_state(backend, number, response, values):
    reply = order_replies.tracking_status(backend.find_order(number), TODAY)
    assert reply.response == response
    assert reply.values["order_number"] == number and reply.values.items() >= values.items()


@pytest.mark.parametrize(
    "number, response, values",
    [
        ("104233", "utter_refund_none", {"refund_window_days": 30}),
        ("112604", "utter_refund_requested", {"amount": "€58.80", "requested_day": "Saturday, 7 March"}),
        ("115060", "utter_refund_approved", {"amount": "€45.70"}),
        ("113777", "utter_refund_paid", {"amount": "€249.00", "paid_day": "Sunday, 1 March"}),
        ("116245", "utter_refund_rejected", {"note": "personalised items can't be refunded"}),
    ],
)
def test_refund_status_by_refund_state(backend, profile, number, response, values):
    reply = order_replies.refund_status(backend.find_order(number), profile, TODAY)
    assert reply.response == response and reply.values.items() >= values.items()


def test_cancellation_replies(backend, profile):
    assert (
        order_replies.cancellation_question(backend.find_order("104233")).response == "utter_ask_cancellation_of_order"
    )
    shipped = order_replies.cannot_cancel(backend.find_order("109112"), profile)
    assert shipped.response == "utter_order_cannot_be_cancelled" and shipped.values["return_fee"] == "€5.95"
    assert (
        order_replies.cannot_cancel(backend.find_order("117388"), profile).response == "utter_order_already_cancelled"
    )
    done = order_replies.order_cancelled(backend.cancel_order("104233"), profile, "Sarah")
    assert done == Reply(
        "utter_order_cancelled",
        {"order_number": "104233", "total": "€39.90", "refund_processing_days": 5, "name": "Sarah"},
    )
    assert "name" not in order_replies.order_cancelled(backend.find_order("104233"), profile).values
    assert order_replies.cancellation_kept("104233") == Reply(
        "utter_order_cancellation_kept", {"order_number": "104233"}
    )


def test_address_replies(backend):
    assert (
        order_replies.cannot_change_address(backend.find_order("109112")).values["tracking_code"]
        == "JD014600006281234561"
    )
    assert order_replies.cannot_change_address(backend.find_order("117388")) == Reply(
        "utter_order_has_no_address_to_change", {"order_number": "117388", "status": "cancelled"}
    )
    changed = backend.change_shipping_address("104587", "Hafenweg 9, 20457 Hamburg")
    assert order_replies.address_changed(changed) == Reply(
        "utter_order_address_changed", {"order_number": "104587", "shipping_address": "Hafenweg 9, 20457 Hamburg"}
    )


def test_order_number_problems_explain_the_format():
    assert order_replies.order_number_problem(OrderNumberProblem.WRONG_LENGTH) == Reply(
        "utter_order_number_wrong_length", {"digits": 6}
    )
    assert order_replies.order_number_problem(OrderNumberProblem.MISSING).response == "utter_order_number_missing"


def test_unknown_order_is_kind_and_points_to_the_account(profile):
    assert order_replies.unknown_order_on_account("999999", profile) == Reply(
        "utter_unknown_order_on_account", {"order_number": "999999", "orders_url": profile.url("orders")}
    )
    # The same reply whichever number was asked for: it never tells which order numbers exist.
    assert order_replies.order_details_do_not_match(profile) == Reply(
        "utter_order_details_do_not_match", {"orders_url": profile.url("orders")}
    )


def every_reply(profile):
    """Every reply this module makes about the sample orders, each with the slots it is rendered under."""
    for order in sample_orders(TODAY):
        yield order_replies.tracking_status(order, TODAY), {}
        yield order_replies.refund_status(order, profile, TODAY), {}
        # As the actions send them: the question only while the order can be cancelled, the refusals after.
        yield (
            (
                order_replies.cancellation_question(order)
                if order.can_be_cancelled
                else order_replies.cannot_cancel(order, profile)
            ),
            {},
        )
        if not order.address_can_change:
            yield order_replies.cannot_change_address(order), {}
        for name in (None, "Ana"):
            yield order_replies.order_cancelled(order, profile, name), {"customer_name": name}
            yield order_replies.address_changed(order, name), {"customer_name": name}
        yield order_replies.cancellation_kept(order.number), {}
    for problem in OrderNumberProblem:
        yield order_replies.order_number_problem(problem), {}
    yield order_replies.proof_not_at_hand(profile), {}
    yield order_replies.order_details_do_not_match(profile), {}
    yield order_replies.unknown_order_on_account("999999", profile), {}
    yield order_replies.lookups_refused(profile), {}


def test_every_reply_renders_from_the_domain_without_a_gap(profile):
    replies = list(every_reply(profile))
    for reply, slots in replies:
        text = rendered(reply, slots)
        assert "{" not in text and "None" not in text, (reply, text)
    # The sample orders reach every response of the order replies but one: a processing order without a date.
    sent_by_actions_alone = {"utter_order_team_may_find_a_way", "utter_order_number_help"}
    assert {reply.response for reply, _ in replies} | {"utter_order_processing"} == {
        name
        for name in DOMAIN.responses
        if name.startswith(("utter_order_", "utter_refund_")) and name not in sent_by_actions_alone
    } | {"utter_ask_cancellation_of_order", "utter_unknown_order_on_account"}


@pytest.mark.parametrize(
    "reply, slots, text",
    [
        (
            Reply("utter_order_processing", {"order_number": "104233", "items": "Electric kettle"}),
            {},
            "Order 104233 (Electric kettle) is being packed in our warehouse. "
            "I'll have a tracking number once it ships.",
        ),
        (
            Reply(
                "utter_order_address_changed",
                {"order_number": "104587", "shipping_address": "Hafenweg 9, 20457 Hamburg", "name": "Tom"},
            ),
            {"customer_name": "Tom Okafor"},
            "Done, Tom: order 104587 will now be delivered to Hafenweg 9, 20457 Hamburg.",
        ),
        (
            Reply(
                "utter_order_address_changed",
                {"order_number": "104587", "shipping_address": "Hafenweg 9, 20457 Hamburg"},
            ),
            {},
            "Done: order 104587 will now be delivered to Hafenweg 9, 20457 Hamburg.",
        ),
        (
            Reply("utter_order_number_wrong_length", {"digits": 6}),
            {},
            "Hmm, that number doesn't look right: order numbers have 6 digits, like 104233. You'll find yours in the "
            "order confirmation e-mail.",
        ),
    ],
)
def test_replies_read_as_sentences(reply, slots, text):
    assert rendered(reply, slots) == text
