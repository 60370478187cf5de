"""What the customer's latest message was, as the forms' answer readers (customer_care.form_answers) take it."""

from typing import Any, Callable, Dict, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.forms import REQUESTED_SLOT

from customer_care import form_answers

AnswerReader = Callable[[Optional[Text], Text], form_answers.Reading]


def latest_intent_and_text(tracker: Tracker) -> Tuple[Optional[Text], Text]:
    """The latest message's intent (None when it has none) and its text ("" when it has none)."""
    return tracker.latest_message.get("intent", {}).get("name"), tracker.latest_message.get("text") or ""


def form_answer(tracker: Tracker, slot: Text, read: AnswerReader) -> Dict[Text, Any]:
    """The latest message as `read` understands it, when the form asked for `slot`: `{slot: value}` when it
    answers, nothing when the form asked something else or the message is no answer."""
    if tracker.get_slot(REQUESTED_SLOT) != slot:
        return {}
    reading = read(*latest_intent_and_text(tracker))
    return {slot: reading.value} if reading.kind is form_answers.Kind.ANSWER else {}


def declines_to_answer(tracker: Tracker, slot: Text, read: AnswerReader) -> bool:
    """Whether the latest message, as `read` understands it, declines the form's question for `slot`."""
    if tracker.get_slot(REQUESTED_SLOT) != slot:
        return False
    return read(*latest_intent_and_text(tracker)).kind is form_answers.Kind.DECLINE
