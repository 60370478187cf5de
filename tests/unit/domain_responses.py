"""What the actions say, as response names and values, and how Rasa renders those from domain.yml."""

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from customer_care.replies import Reply

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
# What utter_message puts in every message besides the response's values.
_MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}


def sent(action, tracker: Tracker) -> Tuple[List[Reply], Any]:
    """Runs an action as the action server would: the responses it sends, with their values, and its events."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    if asyncio.iscoroutine(events):
        events = asyncio.run(events)
    return [as_reply(message) for message in dispatcher.messages], events


def as_reply(message: Dict[str, Any]) -> Reply:
    assert message["text"] is None, f"text instead of a response: {message['text']!r}"
    return Reply(message["response"], {key: value for key, value in message.items() if key not in _MESSAGE_KEYS})


def rendered(reply: Reply, slots: Optional[Dict[str, Any]] = None) -> str:
    """The text Rasa's own response generator makes of a reply, with `slots` set (they pick conditional
    variations, e.g. the one for a customer whose name is unknown)."""
    generator = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    message = generator.generate_from_slots(
        reply.response, {"customer_name": None, **(slots or {})}, "rest", **reply.values
    )
    assert message is not None, f"{reply.response} is not in domain.yml"
    return message["text"]


def said(action, tracker: Tracker) -> Tuple[List[str], Any]:
    """Runs an action: the texts Rasa renders from the responses it sends (with the tracker's slots), and its
    events."""
    replies, events = sent(action, tracker)
    return [rendered(reply, tracker.slots) for reply in replies], events
