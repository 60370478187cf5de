import dataclasses
from decimal import Decimal

import pytest

from customer_care.answers import NOT_UNDERSTOOD, SHOP_ANSWERS, answer_for
from customer_care.profile import load_profile

SHOP_INTENTS = {
    "cancel_order", "change_order", "change_shipping_address", "check_cancellation_fee", "check_invoice",
    "check_payment_methods", "check_refund_policy", "complaint", "contact_customer_service",
    "contact_human_agent", "create_account", "delete_account", "delivery_options", "delivery_period",
    "edit_account", "get_invoice", "get_refund", "newsletter_subscription", "payment_issue", "place_order",
    "recover_password", "registration_problems", "review", "set_up_shipping_address", "switch_account",
    "track_order", "track_refund",
}
FORM_INTENTS = {"cancel_order", "change_shipping_address", "complaint", "track_order", "track_refund"}


def test_every_shop_intent_without_a_form_has_an_answer():
    assert set(SHOP_ANSWERS) == SHOP_INTENTS - FORM_INTENTS


@pytest.mark.parametrize("intent", sorted(SHOP_INTENTS - FORM_INTENTS))
def test_answers_are_specific_sentences(intent, profile):
    answer = answer_for(intent, profile)
    assert 40 < len(answer) < 600
    assert "{" not in answer and "None" not in answer


def test_unknown_intent_gets_the_not_understood_reply(profile):
    assert answer_for("weather", profile) == NOT_UNDERSTOOD


@pytest.mark.parametrize(
    "intent, expected_parts",
    [
        ("contact_customer_service", ["+49 30 1234 5678", "help@larkspur.example", "Monday to Friday 08:00-20:00"]),
        ("check_refund_policy", ["30 days", "5 business days"]),
        ("check_cancellation_fee", ["€5.95", "15%"]),
        ("delivery_options", ["Express: €9.95, 1-2 business days", "€50.00"]),
        ("delivery_period", ["14:00", "3-5 business days"]),
        ("check_payment_methods", ["PayPal", "Klarna", "€150.00"]),
        ("switch_account", ["Larkspur Plus: €4.99 per month"]),
    ],
)
def test_answers_quote_the_store_profile(intent, expected_parts, profile):
    answer = answer_for(intent, profile)
    for part in expected_parts:
        assert part in answer


def test_a_profile_change_changes_the_answer(profile):
    changed = dataclasses.replace(profile, refund_window_days=14, cancellation_fee_after_dispatch=Decimal("3"))
    assert "14 days" in answer_for("check_refund_policy", changed)
    assert "€3.00" in answer_for("check_cancellation_fee", changed)
    assert "30 days" not in answer_for("check_refund_policy", changed)


def test_profile_file_is_the_single_source(monkeypatch, tmp_path):
    import yaml

    from customer_care.settings import store_profile_path

    data = yaml.safe_load(store_profile_path().read_text(encoding="utf-8"))
    data["support"]["phone"] = "+44 20 0000 0000"
    path = tmp_path / "p.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert "+44 20 0000 0000" in answer_for("contact_customer_service", load_profile(path))
