from datetime import timedelta
from typing import Dict

import pytest

from customer_care.orders import Order
from customer_care.profile import StoreProfile
from customer_care.resolutions import ORDER_CATEGORIES, apology, needs_order_number, resolve
from customer_care.sample_orders import sample_orders
from tests.unit.conftest import TODAY


@pytest.fixture
def orders() -> Dict[str, Order]:
    return {order.number: order for order in sample_orders(TODAY)}


@pytest.mark.parametrize("category", sorted(ORDER_CATEGORIES))
def test_order_categories_need_an_order_number(category):
    assert needs_order_number(category)


@pytest.mark.parametrize("category", ["billing", "account_login", "website_error", "staff_behaviour", "other"])
def test_other_categories_do_not(category):
    assert not needs_order_number(category)


def test_apology_names_the_problem_and_the_customer():
    assert apology("wrong_item", set(), "Ana") == (
        "Ana, I'm sorry we sent you the wrong item; I know that means waiting even longer for the right one.")
    assert apology("late_delivery", set()) == "I'm sorry your delivery is taking longer than it should."


def test_apology_is_stronger_for_anger_and_puts_safety_first():
    assert apology("billing", {"anger"}).startswith("I completely understand why you're upset, and I'm truly sorry")
    safety = apology("damaged_item", {"safety"}, "Ana")
    assert "stop using the item" in safety and safety.startswith("I'm very sorry, Ana")


def test_unknown_category_gets_the_general_apology():
    assert apology("made_up", set()) == apology("other", set())


def test_damaged_delivered_order_gets_replacement_or_refund(profile: StoreProfile, orders):
    resolution = resolve("damaged_item", set(), profile, orders["111920"], today=TODAY)
    assert "a replacement straight away, or refund the €" in resolution.solution
    assert f"within {profile.refund_processing_days} business days" in resolution.solution
    assert not resolution.needs_person


def test_damaged_order_past_the_return_window_goes_to_a_person(profile: StoreProfile, orders):
    late = TODAY + timedelta(days=profile.refund_window_days + 10)
    resolution = resolve("damaged_item", set(), profile, orders["111920"], today=late)
    assert "return window" in resolution.solution and resolution.needs_person


def test_late_delivery_reports_the_tracking_status(profile: StoreProfile, orders):
    resolution = resolve("late_delivery", set(), profile, orders["109112"], today=TODAY)
    assert "DHL" in resolution.solution and not resolution.needs_person


def test_overdue_delivery_opens_a_search_with_the_carrier(profile: StoreProfile, orders):
    order = orders["109112"]
    overdue_day = order.expected_delivery + timedelta(days=3)
    resolution = resolve("late_delivery", set(), profile, order, today=overdue_day)
    assert "opening a search with DHL" in resolution.solution


def test_refund_not_received_reports_the_refund(profile: StoreProfile, orders):
    resolution = resolve("refund_not_received", set(), profile, orders["113777"], today=TODAY)
    assert "€249.00" in resolution.solution and not resolution.needs_person


def test_refund_never_requested_goes_to_a_person(profile: StoreProfile, orders):
    resolution = resolve("refund_not_received", set(), profile, orders["111920"], today=TODAY)
    assert "can't see a refund request" in resolution.solution and resolution.needs_person


def test_account_help_points_at_the_password_reset(profile: StoreProfile):
    resolution = resolve("account_login", set(), profile, today=TODAY)
    assert profile.urls["password_reset"] in resolution.solution and not resolution.needs_person


@pytest.mark.parametrize("severity", ["safety", "legal", "fraud"])
def test_urgent_severity_goes_to_a_person_whatever_the_category(profile: StoreProfile, orders, severity):
    resolution = resolve("late_delivery", {severity}, profile, orders["109112"], today=TODAY)
    assert resolution.needs_person
    assert "a member of our team to take this over" in resolution.solution


def test_order_category_without_an_order_goes_to_a_person(profile: StoreProfile):
    resolution = resolve("missing_item", set(), profile, None, today=TODAY)
    assert "Without the order number" in resolution.solution and resolution.needs_person
    assert resolution.text.startswith("I'm sorry something is missing")
