"""Asking instead of guessing: when the NLU can't choose between two shop intents, the customer chooses.

"What if I cancel?" sits between cancelling an order and asking what cancelling costs; the classifier gives
both about the same confidence and the FallbackClassifier rejects the message as ambiguous. Rather than "Sorry,
I didn't understand", the bot asks "Do you want to cancel an order, or know what cancelling costs?" with a
button for each (their payloads are the intents, so the answer needs no NLU) and one for neither.
"""

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

# intent -> (button title, how the question says it after "Do you want to")
CHOICES: Dict[str, Tuple[str, str]] = {
    "cancel_order": ("Cancel an order", "cancel an order"),
    "change_order": ("Change an order", "change something in an order"),
    "change_shipping_address": ("Change the delivery address", "change an order's delivery address"),
    "check_cancellation_fee": ("What cancelling costs", "know what cancelling costs"),
    "check_invoice": ("Questions about an invoice", "ask about an invoice you have"),
    "check_payment_methods": ("Ways to pay", "know which ways you can pay"),
    "check_refund_policy": ("The refund policy", "know our refund and return policy"),
    "complaint": ("Report a problem", "tell us about a problem"),
    "contact_customer_service": ("Contact details", "know how to contact customer service"),
    "contact_human_agent": ("Talk to a person", "talk to a person"),
    "create_account": ("Create an account", "create an account"),
    "delete_account": ("Delete my account", "delete your account"),
    "delivery_options": ("Delivery options", "know the delivery options"),
    "delivery_period": ("Delivery times", "know how long delivery takes"),
    "edit_account": ("Change account details", "change your account details"),
    "get_invoice": ("Get an invoice", "get an invoice"),
    "get_refund": ("Ask for a refund", "ask for a refund"),
    "newsletter_subscription": ("The newsletter", "subscribe to or leave the newsletter"),
    "payment_issue": ("A payment problem", "sort out a payment problem"),
    "place_order": ("Place an order", "place an order"),
    "recover_password": ("Reset my password", "reset your password"),
    "registration_problems": ("Problems signing up", "sort out a problem signing up"),
    "review": ("Leave a review", "leave a review"),
    "set_up_shipping_address": ("Save an address", "save a delivery address"),
    "switch_account": ("Switch accounts", "switch to another account"),
    "track_order": ("Track an order", "track an order"),
    "track_refund": ("Where my refund is", "know where your refund is"),
}
NEITHER_TITLE = "Something else"
NEITHER_PAYLOAD = "/deny"
# Together the two must hold most of the classifier's belief, and be close: otherwise the message is more
# likely about something else altogether, and asking would only add a step.
MIN_COMBINED_CONFIDENCE = 0.4
MAX_GAP = 0.2
# Entities worth carrying into the chosen intent, so "cancel 104233?" keeps its order number.
CARRIED_ENTITIES = ("order_number", "email")


@dataclass(frozen=True)
class Clarification:
    """The two choices, as the question (utter_ask_which_request) says them, and a button for each and neither."""

    first_choice: str
    second_choice: str
    buttons: List[Dict[str, str]]


def close_pair(ranking: Sequence[Mapping[str, Any]]) -> Optional[Tuple[str, str]]:
    """The two shop intents the NLU hesitated between, best first; None when it did not hesitate between two."""
    candidates = [entry for entry in ranking if entry.get("name") != "nlu_fallback"]
    if len(candidates) < 2:
        return None
    first, second = candidates[0], candidates[1]
    if first.get("name") not in CHOICES or second.get("name") not in CHOICES:
        return None
    top, runner_up = float(first.get("confidence") or 0.0), float(second.get("confidence") or 0.0)
    if top + runner_up < MIN_COMBINED_CONFIDENCE or top - runner_up > MAX_GAP:
        return None
    return first["name"], second["name"]


def payload(intent: str, entities: Sequence[Mapping[str, Any]] = ()) -> str:
    """A button payload Rasa reads as that intent, with the message's order number or e-mail carried along."""
    carried = {}
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if name in CARRIED_ENTITIES and isinstance(value, str) and name not in carried:
            carried[name] = value
    return f"/{intent}{json.dumps(carried)}" if carried else f"/{intent}"


def clarification(
    ranking: Sequence[Mapping[str, Any]], entities: Sequence[Mapping[str, Any]] = ()
) -> Optional[Clarification]:
    pair = close_pair(ranking)
    if pair is None:
        return None
    first, second = pair
    buttons = [{"title": CHOICES[intent][0], "payload": payload(intent, entities)} for intent in pair]
    buttons.append({"title": NEITHER_TITLE, "payload": NEITHER_PAYLOAD})
    return Clarification(CHOICES[first][1], CHOICES[second][1], buttons)
