"""The shop questions: listed once in data/rules/shop_questions.yml, answered by a response of domain.yml filled
with the store profile's facts."""

import dataclasses
from decimal import Decimal

import pytest
import yaml

from customer_care.answers import (
    ALWAYS_CHARGED_FEE_ANSWER,
    ANSWERED_INTENTS,
    SHOP_QUESTION_INTENTS,
    SHOP_QUESTION_RULES,
    answer_for,
    read_shop_questions,
    shop_facts,
)
from customer_care.form_answers import ORDER_REQUEST_INTENTS
from customer_care.profile import load_profile
from customer_care.replies import Reply
from customer_care.settings import PROJECT_ROOT
from tests.unit.domain_responses import DOMAIN, rendered

CONVERSATION_INTENTS = {"greet", "goodbye", "affirm", "deny", "thank_you", "bot_challenge", "out_of_scope"}
FORM_INTENTS = ORDER_REQUEST_INTENTS | {"complaint"}
RULE_FILES = sorted((PROJECT_ROOT / "data" / "rules").glob("*.yml"))


def rule_intents(rule: dict) -> set:
    """The intents a rule's steps trigger on, `or:` choices included."""
    intents = set()
    for step in rule["steps"]:
        intents |= {choice["intent"] for choice in step.get("or", [])}
        if "intent" in step:
            intents.add(step["intent"])
    return intents


def test_the_shop_questions_are_listed_once_and_every_shop_question_rule_uses_that_list():
    rules = yaml.safe_load(SHOP_QUESTION_RULES.read_text(encoding="utf-8"))["rules"]
    assert len(SHOP_QUESTION_INTENTS) == len(set(SHOP_QUESTION_INTENTS)) == 21
    assert SHOP_QUESTION_RULES.read_text(encoding="utf-8").count("- intent: ") == len(SHOP_QUESTION_INTENTS)
    assert [rule_intents(rule) for rule in rules] == [set(SHOP_QUESTION_INTENTS)] * len(rules)


def test_no_other_rule_file_triggers_on_a_shop_question():
    for path in RULE_FILES:
        if path != SHOP_QUESTION_RULES:
            for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
                assert not rule_intents(rule) & set(SHOP_QUESTION_INTENTS), (path.name, rule["rule"])


def test_the_list_is_read_from_the_rules_file(tmp_path):
    changed = tmp_path / "shop_questions.yml"
    changed.write_text(
        SHOP_QUESTION_RULES.read_text(encoding="utf-8").replace(
            "    - intent: switch_account\n", "    - intent: switch_account\n    - intent: gift_wrapping\n"
        )
    )
    assert read_shop_questions(changed) == SHOP_QUESTION_INTENTS + ("gift_wrapping",)


def test_every_shop_intent_of_the_domain_without_a_form_has_an_answer():
    declared = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]
    shop_intents = set(declared) - CONVERSATION_INTENTS
    assert set(ANSWERED_INTENTS) == shop_intents - FORM_INTENTS


@pytest.mark.parametrize("intent", ANSWERED_INTENTS)
def test_each_answer_is_its_own_response_filled_with_the_profiles_facts(intent, profile):
    answer = answer_for(intent, profile)
    assert answer == Reply(f"utter_answer_{intent}", shop_facts(profile))
    text = rendered(answer)
    assert 40 < len(text) < 600
    assert "{" not in text and "}" not in text and "None" not in text


def test_a_shop_that_charges_before_dispatch_too_does_not_promise_free_cancelling(profile):
    charging = dataclasses.replace(profile, free_cancellation_before_dispatch=False)
    answer = answer_for("check_cancellation_fee", charging)
    assert answer == Reply(ALWAYS_CHARGED_FEE_ANSWER, shop_facts(charging))
    text = rendered(answer)
    assert text.startswith("Once it has shipped") and "€5.95" in text and "{" not in text
    assert rendered(answer_for("check_cancellation_fee", profile)).startswith("Cancelling is free")


def test_unknown_intent_gets_the_not_understood_reply(profile):
    assert answer_for("weather", profile) == Reply("utter_not_understood")
    assert answer_for(None, profile) == Reply("utter_not_understood")


@pytest.mark.parametrize(
    "intent, expected_parts",
    [
        (
            "contact_customer_service",
            ["+49 30 1234 5678", "help@larkspur.example", "Monday to Friday 08:00-20:00", "(Europe/Berlin time)"],
        ),
        ("check_refund_policy", ["30 days", "5 business days"]),
        ("check_cancellation_fee", ["€5.95", "15%"]),
        ("delivery_options", ["Express: €9.95, 1-2 business days", "€50.00"]),
        (
            "delivery_period",
            [
                "14:00",
                "Standard delivery then takes 3-5 business days",
                "the fastest is Express (1-2 business days, €9.95)",
            ],
        ),
        ("check_payment_methods", ["PayPal", "Klarna", "€150.00"]),
        ("payment_issue", ["(Visa, Mastercard, American Express or PayPal)"]),
        ("switch_account", ["Personal: free (standard prices and shipping)", "Larkspur Plus: €4.99 per month"]),
        ("review", ["https://shop.larkspur.example/account/reviews", "Feedback about Larkspur itself"]),
    ],
)
def test_answers_quote_the_store_profile(intent, expected_parts, profile):
    text = rendered(answer_for(intent, profile))
    for part in expected_parts:
        assert part in text


def test_a_profile_change_changes_the_answer(profile):
    changed = dataclasses.replace(profile, refund_window_days=14, cancellation_fee_after_dispatch=Decimal("3"))
    assert "14 days" in rendered(answer_for("check_refund_policy", changed))
    assert "€3.00" in rendered(answer_for("check_cancellation_fee", changed))
    assert "30 days" not in rendered(answer_for("check_refund_policy", changed))


def test_profile_file_is_the_single_source(monkeypatch, tmp_path):
    from customer_care.settings import store_profile_path

    data = yaml.safe_load(store_profile_path().read_text(encoding="utf-8"))
    data["support"]["phone"] = "+44 20 0000 0000"
    path = tmp_path / "p.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert "+44 20 0000 0000" in rendered(answer_for("contact_customer_service", load_profile(path)))


def test_the_greetings_say_what_the_bot_can_do_in_the_words_of_utter_capabilities():
    capabilities = rendered(Reply("utter_capabilities"))
    for greeting in ("utter_greet_with_new_name", "utter_greet_signed_in_customer", "utter_introduce_assistant"):
        [variation] = DOMAIN.responses[greeting]
        assert capabilities in variation["text"], greeting
