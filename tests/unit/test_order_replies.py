from datetime import timedelta

import pytest

from customer_care import order_replies
from customer_care.orders import OrderNumberProblem
from tests.unit.conftest import TODAY


def test_format_day_is_relative_near_today():
    assert order_replies.format_day(TODAY, TODAY) == "today"
    assert order_replies.format_day(TODAY + timedelta(days=1), TODAY) == "tomorrow"
    assert order_replies.format_day(TODAY - timedelta(days=1), TODAY) == "yesterday"
    assert order_replies.format_day(TODAY + timedelta(days=3), TODAY) == "Friday, 13 March"


@pytest.mark.parametrize(
    "number, expected",
    [
        ("104233", ["being packed", "Friday, 13 March"]),
        ("109112", ["on its way with DHL", "JD014600006281234561", "tomorrow"]),
        ("110348", ["out for delivery with Hermes"]),
        ("111920", ["was delivered", "Monday, 2 March", "DPD"]),
        ("117388", ["was cancelled"]),
        ("113777", ["return"]),
    ],
)
def test_tracking_status_by_order_state(backend, number, expected):
    text = order_replies.tracking_status(backend.find_order(number), TODAY)
    assert number in text
    for part in expected:
        assert part in text


@pytest.mark.parametrize(
    "number, expected",
    [
        ("104233", ["no refund", "30 days"]),
        ("112604", ["received your refund request", "€58.80"]),
        ("115060", ["approved", "€45.70"]),
        ("113777", ["€249.00", "was paid on", "Visa"]),
        ("116245", ["declined", "personalised"]),
    ],
)
def test_refund_status_by_refund_state(backend, profile, number, expected):
    text = order_replies.refund_status(backend.find_order(number), profile, TODAY)
    for part in expected:
        assert part in text


def test_cancellation_messages(backend, profile):
    processing = backend.find_order("104233")
    assert "Shall I cancel it?" in order_replies.cancellation_question(processing)
    shipped = order_replies.cannot_cancel(backend.find_order("109112"), profile)
    assert "already left our warehouse" in shipped and "€5.95" in shipped
    assert "already cancelled" in order_replies.cannot_cancel(backend.find_order("117388"), profile)
    done = order_replies.order_cancelled(backend.cancel_order("104233"), profile, ", Sarah")
    assert done.startswith("Done, Sarah: order 104233 is cancelled") and "€39.90" in done
    assert "104233 stays as it is" in order_replies.cancellation_kept("104233")


def test_address_messages(backend):
    assert "JD014600006281234561" in order_replies.cannot_change_address(backend.find_order("109112"))
    assert "cancelled" in order_replies.cannot_change_address(backend.find_order("117388"))
    changed = backend.change_shipping_address("104587", "Hafenweg 9, 20457 Hamburg")
    assert order_replies.address_changed(changed) == "Done: order 104587 will now be delivered to Hafenweg 9, 20457 Hamburg."


def test_order_number_problems_explain_the_format():
    assert "6 digits" in order_replies.order_number_problem(OrderNumberProblem.WRONG_LENGTH)
    assert order_replies.order_number_problem(OrderNumberProblem.MISSING)


def test_unknown_order_is_kind_and_points_to_the_account(profile):
    text = order_replies.unknown_order_on_account("999999", profile)
    assert "sorry" in text.lower() and "999999" in text and profile.url("orders") in text
    mismatch = order_replies.order_details_do_not_match(profile)
    assert "sorry" in mismatch.lower() and "999999" not in mismatch and profile.url("orders") in mismatch
