"""What the customer's latest message was, as the forms' answer readers (customer_care.form_answers) take it."""

from typing import Optional, Text, Tuple

from rasa_sdk import Tracker


def latest_intent_and_text(tracker: Tracker) -> Tuple[Optional[Text], Text]:
    """The latest message's intent (None when it has none) and its text ("" when it has none)."""
    return tracker.latest_message.get("intent", {}).get("name"), tracker.latest_message.get("text") or ""
