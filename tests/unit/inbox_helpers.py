"""Shared by the inbox's tests (test_inbox, test_inbox_flags, test_inbox_groups, test_inbox_labels) and the
conftest's `broker`, `inbox` and `synced`: Rasa's event broker table, filled as Rasa fills it, and a day of
conversations to sync from it."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, insert

from customer_care.inbox import Inbox, InboxMessage

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)


class FakeBroker:
    """The `events` table as Rasa's SQLEventBroker declares and fills it: one json.dumps'ed event per row."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = create_engine(f"sqlite:///{path}", future=True)
        self.table = Table(
            "events",
            MetaData(),
            Column("id", Integer, primary_key=True),
            Column("sender_id", String(255)),
            Column("data", Text),
        )
        self.table.metadata.create_all(self.engine)

    def publish(self, event: Dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(self.table).values(sender_id=event.get("sender_id"), data=json.dumps(event)))

    def user(
        self,
        conversation: str,
        text: str,
        intent: Optional[str],
        confidence: Optional[float],
        minute: float,
        entities: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        parse_data = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence} if intent else {},
            "entities": entities or [],
            "intent_ranking": [{"name": intent, "confidence": confidence}] if intent else [],
            "message_id": f"m-{conversation}-{minute}",
            "metadata": {},
        }
        self.publish(
            {
                "event": "user",
                "timestamp": _stamp(minute),
                "sender_id": conversation,
                "text": text,
                "parse_data": parse_data,
                "input_channel": "socketio",
                "message_id": parse_data["message_id"],
                "metadata": {},
            }
        )

    def action(self, conversation: str, name: str, minute: float) -> None:
        self.publish(
            {
                "event": "action",
                "timestamp": _stamp(minute),
                "sender_id": conversation,
                "name": name,
                "policy": "RulePolicy",
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )

    def bot(self, conversation: str, text: str, minute: float) -> None:
        self.publish(
            {
                "event": "bot",
                "timestamp": _stamp(minute),
                "sender_id": conversation,
                "text": text,
                "data": {},
                "metadata": {"utter_action": "utter_x"},
            }
        )

    def slot(self, conversation: str, name: str, value: Any, minute: float) -> None:
        self.publish(
            {"event": "slot", "timestamp": _stamp(minute), "sender_id": conversation, "name": name, "value": value}
        )

    def close(self) -> None:
        self.engine.dispose()


def _stamp(minute: float) -> float:
    return (T0 + timedelta(minutes=minute)).timestamp()


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def order_entity(text: str, number: str) -> Dict[str, Any]:
    start = text.index(number)
    return {
        "entity": "order_number",
        "value": number,
        "start": start,
        "end": start + len(number),
        "extractor": "RegexEntityExtractor",
        "processors": [],
    }


def seed_conversations(broker: FakeBroker) -> None:
    # A greeting, with a button payload before it.
    broker.action("c-greet", "action_session_start", 0)
    broker.user("c-greet", "/greet", "greet", 1.0, 0.1)
    broker.user("c-greet", "hello there", "greet", 0.98, 0.2)
    broker.bot("c-greet", "Hi! How can I help?", 0.3)
    broker.user("c-greet", "   ", None, None, 0.4)
    # Low confidence, a fallback, out of scope.
    broker.user("c-low", "wheres my parcel gone", "track_order", 0.41, 1)
    broker.user("c-fallback", "do you do gift wrapping", "nlu_fallback", 0.35, 2)
    broker.user("c-oos", "what's the weather in Leeds", "out_of_scope", 0.93, 3)
    # A complaint whose paraphrase the customer denied.
    broker.user("c-complaint", "I want to complain", "complaint", 0.97, 4)
    broker.action("c-complaint", "complaint_form", 4.1)
    broker.user("c-complaint", "the lid of my kettle is cracked", "complaint", 0.88, 5)
    broker.bot("c-complaint", "So your kettle arrived broken, is that right?", 5.1)
    broker.user("c-complaint", "no", "deny", 0.99, 6)
    broker.slot("c-complaint", "complaint_denials", 1.0, 6.1)
    # An escalation; what the customer says after the ticket is for the agent, not the bot.
    text = "Where is my order 123456?!"
    broker.user("c-escalate", text, "track_order", 0.95, 7, entities=[order_entity(text, "123456")])
    broker.user("c-escalate", "I want a human", "contact_human_agent", 0.97, 8)
    broker.action("c-escalate", "action_open_ticket", 8.1)
    broker.user("c-escalate", "thanks", "thank_you", 0.99, 9)
    # A near-duplicate of the escalated question, in another conversation.
    broker.user("c-dup", "where is my  order 654321", "track_order", 0.55, 10)
    # Personal data.
    broker.user("c-mail", "my email is jane.doe@example.com", "edit_account", 0.5, 11)


def all_messages(inbox: Inbox) -> Dict[str, InboxMessage]:
    groups = inbox.groups(flagged_only=False, include_labelled=True)
    return {message.text: message for group in groups for message in group.messages}


def flags_of(inbox: Inbox, text: str) -> frozenset:
    return all_messages(inbox)[text].flags
