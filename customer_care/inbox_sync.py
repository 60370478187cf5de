"""The review inbox's copy of the event broker: customer messages, and why each may need a look.

Rasa's SQL event broker writes every event of every conversation to its own database (read through
addons.broker_events). `BrokerSync.sync` reads the events it has not seen yet (a cursor in the assistant's own
database keeps the last event id), stores each customer message, masked, with flags saying why it may need a look,
and never writes to the broker's database. Then it flags the messages agents marked before they were stored.
The flags are described in customer_care.inbox_tables.
"""

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Mapping, Optional, Sequence

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from addons.broker_events import BrokerEvent, read_events
from customer_care.clarification import CHOICES as CLARIFIABLE_INTENTS
from customer_care.database import read_only_engine_for, to_stored_time, utc_now
from customer_care.inbox_tables import (
    inbox_clarifications_table,
    inbox_cursor_table,
    inbox_marks_table,
    inbox_messages_table,
)
from customer_care.training_examples import group_key, key_hash, mask_example

FALLBACK_INTENTS = ("nlu_fallback", "out_of_scope")
ESCALATION_ACTION = "action_open_ticket"
DENIALS_SLOT = "complaint_denials"
# The answers to the paraphrase question; the message before them is the complaint that was paraphrased.
CONFIRMATION_INTENTS = ("deny", "affirm")
MARK_WINDOW = timedelta(minutes=5)  # how far from an agent's mark its message may have been sent
SYNC_BATCH = 500
CURSOR_NAME = "sql_event_broker"


class _CursorMoved(Exception):
    """Another process synced the same events first."""


class BrokerSync:
    """Copies new customer messages from the broker's database at `events_url` into the inbox's tables on
    `engine`. Every call takes its own short transactions, so one instance can serve several threads."""

    def __init__(self, engine: Engine, events_url: str, low_confidence: float) -> None:
        self.engine = engine
        self.events_url = events_url
        self.low_confidence = low_confidence
        self._events_engine: Optional[Engine] = None
        self._ensure_cursor()

    def close(self) -> None:
        if self._events_engine is not None:
            self._events_engine.dispose()

    def sync(self) -> int:
        """Store the customer messages logged since the last sync; returns how many were added."""
        events = self._events()
        added = 0
        while events is not None:
            cursor = self._cursor()
            batch = read_events(events, cursor, SYNC_BATCH)
            if not batch:
                break
            try:
                added += self._store_batch(batch, cursor)
            except _CursorMoved:
                continue  # read again from where the other process got to
            if len(batch) < SYNC_BATCH:
                break
        self._apply_pending_marks()
        return added

    def _store_batch(self, batch: Sequence[BrokerEvent], cursor: int) -> int:
        with self.engine.begin() as connection:
            # Moving the cursor first, on the condition it is still where we read from, makes two syncs at
            # once (console and export tool) safe: the second one's update finds nothing and rolls back.
            moved = connection.execute(
                update(inbox_cursor_table)
                .where(inbox_cursor_table.c.name == CURSOR_NAME, inbox_cursor_table.c.last_event_id == cursor)
                .values(last_event_id=batch[-1].id)
            ).rowcount
            if moved != 1:
                raise _CursorMoved()
            return sum(self._store_event(connection, logged) for logged in batch)

    def _store_event(self, connection: Connection, logged: BrokerEvent) -> int:
        try:
            event = json.loads(logged.data or "")
        except ValueError:
            return 0
        if not isinstance(event, dict):
            return 0
        conversation_id = event.get("sender_id") or logged.sender_id
        if not conversation_id:
            return 0
        conversation_id = str(conversation_id)
        kind = event.get("event")
        if kind == "user":
            return self._store_message(connection, logged.id, conversation_id, event)
        if kind == "action" and event.get("name") == ESCALATION_ACTION:
            _flag_conversation(connection, conversation_id)
        elif kind == "slot" and event.get("name") == DENIALS_SLOT and _positive(event.get("value")):
            _flag_paraphrased(connection, conversation_id)
        return 0

    def _store_message(self, connection: Connection, event_id: int, conversation_id: str, event: Dict[str, Any]) -> int:
        text = event.get("text")
        if isinstance(text, str) and text.strip().startswith("/"):
            _record_clarification(connection, conversation_id, event)
            return 0  # a button's intent payload ("/affirm"): nothing the customer wrote
        if not isinstance(text, str) or not text.strip():
            return 0  # nothing typed
        parse_data = _dict_or_empty(event.get("parse_data"))
        intent_data = _dict_or_empty(parse_data.get("intent"))
        name = intent_data.get("name")
        intent = name if isinstance(name, str) and name else None
        confidence = _as_float(intent_data.get("confidence"))
        predicted = parse_data.get("entities") if parse_data.get("text", text) == text else None
        masked, entities = mask_example(text, predicted if isinstance(predicted, list) else [])
        key = group_key(masked)
        if not key:
            return 0  # only emoji or punctuation: nothing a model could learn from
        flags = {
            "low_confidence": confidence is not None and confidence < self.low_confidence,
            "fallback": intent in FALLBACK_INTENTS,
        }
        connection.execute(
            insert(inbox_messages_table).values(
                event_id=event_id,
                conversation_id=conversation_id,
                text=masked,
                group_key=key,
                key_hash=key_hash(key),
                intent=intent,
                confidence=confidence,
                entities=json.dumps(entities),
                sent_at=_event_time(event),
                **{f"flag_{flag}": value for flag, value in flags.items()},
            )
        )
        return 1

    def _apply_pending_marks(self) -> None:
        """Flag the messages agents marked (customer_care.inbox.Inbox.mark_misunderstood) before they were here."""
        marks = inbox_marks_table
        with self.engine.begin() as connection:
            pending = connection.execute(select(marks).where(marks.c.message_id.is_(None))).mappings().all()
            for mark in pending:
                message_id = nearest_message(connection, mark["conversation_id"], mark["text"], mark["sent_at"])
                if message_id is not None:
                    connection.execute(update(marks).where(marks.c.id == mark["id"]).values(message_id=message_id))
                    set_flag(connection, message_id, "agent_marked")

    def _events(self) -> Optional[Engine]:
        if self._events_engine is None:
            self._events_engine = read_only_engine_for(self.events_url)
        return self._events_engine

    def _ensure_cursor(self) -> None:
        if self._cursor_or_none() is not None:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(inbox_cursor_table).values(name=CURSOR_NAME, last_event_id=0))
        except IntegrityError:
            pass  # another process created it at the same moment

    def _cursor(self) -> int:
        return self._cursor_or_none() or 0

    def _cursor_or_none(self) -> Optional[int]:
        statement = select(inbox_cursor_table.c.last_event_id).where(inbox_cursor_table.c.name == CURSOR_NAME)
        with self.engine.connect() as connection:
            last_event_id: Optional[int] = connection.execute(statement).scalar()
        return last_event_id


def nearest_message(connection: Connection, conversation_id: str, text: str, sent_at: datetime) -> Optional[int]:
    """The conversation's stored message with that (masked) text sent nearest to `sent_at`, within MARK_WINDOW."""
    messages = inbox_messages_table
    statement = select(messages.c.id, messages.c.sent_at).where(
        messages.c.conversation_id == conversation_id,
        messages.c.text == text,
        messages.c.sent_at >= sent_at - MARK_WINDOW,
        messages.c.sent_at <= sent_at + MARK_WINDOW,
    )
    candidates = [(abs(stored - sent_at), message_id) for message_id, stored in connection.execute(statement)]
    return min(candidates)[1] if candidates else None


def set_flag(connection: Connection, message_id: int, flag: str) -> None:
    messages = inbox_messages_table
    connection.execute(update(messages).where(messages.c.id == message_id).values(**{f"flag_{flag}": True}))


def _flag_conversation(connection: Connection, conversation_id: str) -> None:
    messages = inbox_messages_table
    connection.execute(
        update(messages)
        .where(messages.c.conversation_id == conversation_id, messages.c.flag_escalated.is_(False))
        .values(flag_escalated=True)
    )


def _flag_paraphrased(connection: Connection, conversation_id: str) -> None:
    """Flag the complaint the bot paraphrased wrongly: the conversation's latest message that is no yes or no."""
    messages = inbox_messages_table
    statement = (
        select(messages.c.id)
        .where(
            messages.c.conversation_id == conversation_id,
            or_(messages.c.intent.is_(None), messages.c.intent.notin_(CONFIRMATION_INTENTS)),
        )
        .order_by(messages.c.event_id.desc(), messages.c.id.desc())
        .limit(1)
    )
    message_id = connection.execute(statement).scalar()
    if message_id is not None:
        set_flag(connection, message_id, "paraphrase_denied")


def _record_clarification(connection: Connection, conversation_id: str, event: Mapping[str, Any]) -> None:
    """A button pressed right after a message the NLU fell back on: what the customer meant by that message."""
    parse_data = _dict_or_empty(event.get("parse_data"))
    intent_data = _dict_or_empty(parse_data.get("intent"))
    intent = intent_data.get("name")
    if not isinstance(intent, str) or intent not in CLARIFIABLE_INTENTS:
        return  # "Something else" (/deny), or a button of another question
    messages = inbox_messages_table
    latest = connection.execute(
        select(messages.c.id, messages.c.flag_fallback)
        .where(messages.c.conversation_id == conversation_id)
        .order_by(messages.c.id.desc())
        .limit(1)
    ).first()
    if latest is None or not latest.flag_fallback:
        return
    answered = connection.execute(
        select(inbox_clarifications_table.c.message_id).where(inbox_clarifications_table.c.message_id == latest.id)
    ).first()
    if answered is None:
        connection.execute(
            insert(inbox_clarifications_table).values(
                message_id=latest.id, intent=intent, answered_at=_event_time(event)
            )
        )


def _event_time(event: Mapping[str, Any]) -> datetime:
    stamp = event.get("timestamp")
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        try:
            return to_stored_time(datetime.fromtimestamp(stamp, timezone.utc))
        except (OverflowError, OSError, ValueError):
            pass
    return to_stored_time(utc_now())


def _dict_or_empty(value: Any) -> Dict[str, Any]:
    """`value` when it is a dict (a part of an event's parse data), else an empty one."""
    return value if isinstance(value, dict) else {}


def _as_float(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _positive(value: Any) -> bool:
    number = _as_float(value)
    return number is not None and number > 0
