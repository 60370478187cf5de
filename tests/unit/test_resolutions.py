from datetime import timedelta
from typing import Dict

import pytest

from customer_care.orders import Order
from customer_care.profile import StoreProfile
from customer_care.replies import Reply
from customer_care.resolutions import ORDER_CATEGORIES, Resolution, apology, needs_order_number, resolve
from customer_care.sample_orders import sample_orders
from tests.unit.conftest import TODAY
from tests.unit.domain_responses import rendered


def said(resolution: Resolution, name=None) -> str:
    """The apology and the solution as Rasa renders them from domain.yml."""
    return " ".join(rendered(reply, {"customer_name": name}) for reply in resolution.replies)


def apologises(category, severity, name=None) -> str:
    return rendered(apology(category, severity, name), {"customer_name": name})


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
    assert apology("wrong_item", set(), "Ana") == Reply("utter_complaint_apology_wrong_item", {"name": "Ana"})
    assert apologises("wrong_item", set(), "Ana") == (
        "Ana, I'm sorry we sent you the wrong item; I know that means waiting even longer for the right one."
    )
    assert apologises("late_delivery", set()) == "I'm sorry your delivery is taking longer than it should."


def test_apology_is_stronger_for_anger_and_puts_safety_first():
    assert apology("billing", {"anger"}) == Reply("utter_complaint_apology_upset_billing")
    assert apologises("billing", {"anger"}).startswith("I completely understand why you're upset, and I'm truly sorry")
    safety = apologises("damaged_item", {"safety"}, "Ana")
    assert "stop using the item" in safety and safety.startswith("I'm very sorry, Ana")


def test_unknown_category_gets_the_general_apology():
    assert apology("made_up", set()) == apology("other", set())


def test_damaged_delivered_order_gets_replacement_or_refund(profile: StoreProfile, orders):
    resolution = resolve("damaged_item", set(), profile, orders["111920"], today=TODAY)
    assert "a replacement straight away, or refund the €" in said(resolution)
    assert f"within {profile.refund_processing_days} business days" in said(resolution)
    assert not resolution.needs_person


def test_damaged_order_past_the_return_window_goes_to_a_person(profile: StoreProfile, orders):
    late = TODAY + timedelta(days=profile.refund_window_days + 10)
    resolution = resolve("damaged_item", set(), profile, orders["111920"], today=late)
    assert "return window" in said(resolution) and resolution.needs_person


def test_late_delivery_reports_the_tracking_status(profile: StoreProfile, orders):
    resolution = resolve("late_delivery", set(), profile, orders["109112"], today=TODAY)
    assert "DHL" in said(resolution) and not resolution.needs_person


def test_overdue_delivery_opens_a_search_with_the_carrier(profile: StoreProfile, orders):
    order = orders["109112"]
    overdue_day = order.expected_delivery + timedelta(days=3)
    resolution = resolve("late_delivery", set(), profile, order, today=overdue_day)
    assert "opening a search with DHL" in said(resolution)


def test_refund_not_received_reports_the_refund(profile: StoreProfile, orders):
    resolution = resolve("refund_not_received", set(), profile, orders["113777"], today=TODAY)
    assert "€249.00" in said(resolution) and not resolution.needs_person


def test_refund_never_requested_goes_to_a_person(profile: StoreProfile, orders):
    resolution = resolve("refund_not_received", set(), profile, orders["111920"], today=TODAY)
    assert "can't see a refund request" in said(resolution) and resolution.needs_person


def test_account_help_points_at_the_password_reset(profile: StoreProfile):
    resolution = resolve("account_login", set(), profile, today=TODAY)
    assert profile.urls["password_reset"] in said(resolution) and not resolution.needs_person


@pytest.mark.parametrize("severity", ["safety", "legal", "fraud"])
def test_urgent_severity_goes_to_a_person_whatever_the_category(profile: StoreProfile, orders, severity):
    resolution = resolve("late_delivery", {severity}, profile, orders["109112"], today=TODAY)
    assert resolution.needs_person
    assert "a member of our team to take this over" in said(resolution)


def test_order_category_without_an_order_goes_to_a_person(profile: StoreProfile):
    resolution = resolve("missing_item", set(), profile, None, today=TODAY)
    assert "Without the order number" in said(resolution) and resolution.needs_person
    assert said(resolution).startswith("I'm sorry something is missing")


def test_every_apology_and_solution_renders_from_the_domain_without_a_gap(profile: StoreProfile, orders):
    categories = sorted(ORDER_CATEGORIES) + ["billing", "account_login", "website_error", "staff_behaviour", "other"]
    responses = set()
    for category in categories:
        for severity in (set(), {"anger"}, {"legal"}, {"safety"}, {"fraud"}):
            for order in [None, *orders.values()]:
                for name in (None, "Ana"):
                    for today in (TODAY, TODAY + timedelta(days=45)):
                        resolution = resolve(category, severity, profile, order, name, today=today)
                        text = said(resolution, name)
                        assert "{" not in text and "None" not in text, text
                        responses.update(reply.response for reply in resolution.replies)
    # 10 plain and 10 upset apologies, safety, fraud, and the solutions
    assert len([response for response in responses if response.startswith("utter_complaint_apology_")]) == 22
    assert {
        "utter_complaint_delivery_search",
        "utter_complaint_past_return_window",
        "utter_complaint_for_the_team",
    } <= responses
