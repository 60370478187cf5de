"""Answers to the shop's common questions: the words are responses in domain.yml, the facts come from the store
profile, and the questions are listed once, in data/rules/shop_questions.yml.

A shop question's answer is the response `utter_answer_<intent>`, filled with the store profile's facts (every
answer gets all of them, so a new answer can use any fact without a line of Python); see
docs/adding_a_shop_question.md.
"""

from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import yaml

from customer_care.profile import StoreProfile, join_words
from customer_care.replies import Reply
from customer_care.settings import PROJECT_ROOT

SHOP_QUESTION_RULES = PROJECT_ROOT / "data" / "rules" / "shop_questions.yml"
# The rule whose `or:` lists the shop questions (the YAML anchor &shop_questions the other rules reuse).
ANSWER_RULE = "answer a shop question"
# For a shop that charges for cancelling before dispatch too: the fee answer without "Cancelling is free until...".
ALWAYS_CHARGED_FEE_ANSWER = "utter_answer_check_cancellation_fee_always_charged"


def read_shop_questions(path: Path = SHOP_QUESTION_RULES) -> Tuple[str, ...]:
    """The intents answered from the store profile, in the order the rules list them."""
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    [answer_rule] = [rule for rule in rules if rule.get("rule") == ANSWER_RULE]
    [first_step] = [step for step in answer_rule["steps"] if "or" in step]
    return tuple(choice["intent"] for choice in first_step["or"])


SHOP_QUESTION_INTENTS = read_shop_questions()
# contact_human_agent is answered with the contact details when the hand-over to a person is switched off.
ANSWERED_INTENTS = SHOP_QUESTION_INTENTS + ("contact_human_agent",)


def shop_facts(p: StoreProfile) -> Dict[str, Any]:
    """The store profile's facts as the answers' placeholders: amounts with the currency, lists in words."""
    standard = p.shipping_options[0]
    fastest = min(p.shipping_options, key=lambda option: option.max_days)
    return {
        "shop_name": p.shop_name,
        "website": p.website,
        "support_email": p.support_email,
        "support_phone": p.support_phone,
        "opening_hours": p.describe_opening_hours(),
        "timezone": p.timezone,
        "reply_within_hours": p.reply_within_hours,
        **{f"{name}_url": url for name, url in p.urls.items()},
        "plans": "; ".join(
            f"{plan.name}: {'free' if not plan.price else p.money(plan.price) + ' per ' + plan.per} ({plan.perks})"
            for plan in p.plans
        ),
        "dispatch_cutoff": f"{p.dispatch_cutoff:%H:%M}",
        "free_shipping_from": p.money(p.free_shipping_from),
        "shipping_options": "; ".join(
            f"{o.name}: {p.money(o.price)}, {o.min_days}-{o.max_days} business days" for o in p.shipping_options
        ),
        "standard_shipping": standard.name,
        "standard_min_days": standard.min_days,
        "standard_max_days": standard.max_days,
        "fastest_shipping": fastest.name,
        "fastest_min_days": fastest.min_days,
        "fastest_max_days": fastest.max_days,
        "fastest_price": p.money(fastest.price),
        "payment_methods": join_words(list(p.payment_methods)),
        "main_payment_methods_or": join_words(list(p.payment_methods[:4]), "or"),
        "instalments_from": p.money(p.instalments_from),
        "refund_window_days": p.refund_window_days,
        "refund_processing_days": p.refund_processing_days,
        "refund_conditions": p.refund_conditions,
        "non_refundable": p.non_refundable,
        "cancellation_fee_after_dispatch": p.money(p.cancellation_fee_after_dispatch),
        "custom_items_fee_percent": p.custom_items_fee_percent,
    }


def answer_response(intent: str) -> str:
    """The name of the domain response that answers the shop question `intent`."""
    return f"utter_answer_{intent}"


def answer_for(intent: Optional[str], profile: StoreProfile) -> Reply:
    """The answer to a shop question; utter_not_understood for intents that have no answer of this kind."""
    if intent not in ANSWERED_INTENTS:
        return Reply("utter_not_understood")
    if intent == "check_cancellation_fee" and not profile.free_cancellation_before_dispatch:
        return Reply(ALWAYS_CHARGED_FEE_ANSWER, shop_facts(profile))
    return Reply(answer_response(intent), shop_facts(profile))
