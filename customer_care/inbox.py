"""The retraining inbox: what customers said that the assistant may have misunderstood, grouped for review.

Rasa's SQL event broker writes every event of every conversation to its own database (table `events`, one
JSON document per row). `Inbox.sync` reads the rows it has not seen yet (a cursor keeps the last row id),
stores each customer message in the assistant's own database (`settings.database_url()`) with flags saying
why it may need a look, and never writes to the broker's database. Wordings that differ only in case,
punctuation, emoji or digits share a group (`group_key`), so a reviewer labels "Where is my order 123456?"
once for every order number. Labelled groups become training examples (`approved_examples`, written out by
customer_care.nlu_export).

Flags:
  low_confidence     the NLU's confidence was under the threshold (DEFAULT_LOW_CONFIDENCE unless given)
  fallback           the NLU said nlu_fallback or out_of_scope
  escalated          the conversation was handed to a person (action_open_ticket): all its messages so far
  paraphrase_denied  the customer said no to the bot's paraphrase of their complaint: the complaint text
  agent_marked       an agent marked the message as misunderstood in a transcript (`mark_misunderstood`)

When the bot could not choose between two intents it asks the customer (customer_care.clarification); the
button the customer presses is recorded against the message it clarified (`customer_choices` of a group), so
a reviewer sees what the customer meant next to what the NLU predicted.

Customer texts are masked (cards, e-mail addresses, phone numbers) before they are stored, as in the issue log;
reviewers see, and label, the masked text. Times are stored as naive UTC and handed back timezone-aware.
"""

import hashlib
import json
import re
import sqlite3
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    case,
    create_engine,
    delete,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import ColumnElement

from customer_care.clarification import CHOICES as CLARIFIABLE_INTENTS
from customer_care.database import engine_for, from_stored_time, to_stored_time, utc_now
from customer_care.masking import mask_personal_data
from customer_care.settings import database_url, events_database_url

FLAGS = ("low_confidence", "fallback", "escalated", "paraphrase_denied", "agent_marked")
LABEL_KINDS = ("intent", "new_intent", "out_of_scope", "discard")
DEFAULT_LOW_CONFIDENCE = 0.6

FALLBACK_INTENTS = ("nlu_fallback", "out_of_scope")
ESCALATION_ACTION = "action_open_ticket"
DENIALS_SLOT = "complaint_denials"
# The answers to the paraphrase question; the message before them is the complaint that was paraphrased.
CONFIRMATION_INTENTS = ("deny", "affirm")
MARK_WINDOW = timedelta(minutes=5)
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
ENTITY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,49}$")
UNTRAINABLE_INTENTS = ("nlu_fallback",)  # what the FallbackClassifier predicts; no example can teach it
SYNC_BATCH = 500
CURSOR_NAME = "sql_event_broker"


class InboxError(ValueError):
    """Bad input from a reviewer or agent (unknown group, invalid intent name, entity outside the text)."""


@dataclass(frozen=True)
class InboxMessage:
    id: int
    conversation_id: str
    text: str  # masked
    intent: Optional[str]
    confidence: Optional[float]
    entities: List[Dict[str, Any]]  # as predicted, {"entity", "value", "start", "end"} in `text`
    sent_at: datetime  # timezone-aware UTC
    flags: FrozenSet[str]
    group_key: str


@dataclass(frozen=True)
class Label:
    group_key: str
    kind: str  # one of LABEL_KINDS
    intent: Optional[str]  # None for out_of_scope and discard
    entities: List[Dict[str, Any]]
    reviewer: str
    labelled_at: datetime


@dataclass(frozen=True)
class MessageGroup:
    key: str
    text: str  # the most frequent wording of all the group's messages; ties go to the earliest
    count: int
    messages: List[InboxMessage]  # newest first
    predicted_intent: Optional[str]  # the most common prediction
    min_confidence: Optional[float]
    flags: FrozenSet[str]  # of any message
    last_seen: datetime
    label: Optional[Label]
    customer_choices: Dict[str, int] = field(default_factory=dict)  # intent -> customers who chose it when asked


@dataclass(frozen=True)
class ApprovedExample:
    text: str
    intent: str  # "out_of_scope" for out-of-scope labels
    entities: List[Dict[str, Any]]


def group_key(text: str) -> str:
    """The normalised text near-duplicates share: NFKC, lower case, every digit "0", punctuation, symbols and
    emoji dropped, whitespace collapsed. "Where is my order 123456?!" -> "where is my order 000000"."""
    kept: List[str] = []
    for char in unicodedata.normalize("NFKC", text or "").lower():
        category = unicodedata.category(char)
        if category == "Nd":
            kept.append("0")
        elif char.isspace():
            kept.append(" ")
        elif category[0] in "LN":
            kept.append(char)
        elif category[0] == "M" and kept and kept[-1] != " ":
            kept.append(char)  # a combining mark belongs to its letter; after an emoji (U+FE0F) it goes too
    return " ".join("".join(kept).split())


def key_hash(key: str) -> str:
    """A fixed-length handle for a group key: keys are as long as the messages, too long to index everywhere."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# --- Texts with entities ------------------------------------------------------------------------------------


def rewrite_example(
    text: str, entities: Iterable[Mapping[str, Any]], rewrite: Callable[[str], str]
) -> Tuple[str, List[Dict[str, Any]]]:
    """`rewrite(text)` stripped, with the entities moved to where their text ended up.

    The text between entities and each entity's own text are rewritten separately, so the offsets can be
    recomputed. Should that give anything else than rewriting the whole text (personal data straddling an
    entity's edge), the whole text wins and the entities are dropped: masking must never be partial.
    """
    whole = rewrite(text.strip())
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    spans = entity_spans(stripped, (_shifted(entity, -lead) for entity in entities))
    pieces: List[str] = []
    moved: List[Dict[str, Any]] = []
    position = length = 0
    for entity in spans:
        before = rewrite(stripped[position : entity["start"]])
        pieces.append(before)
        length += len(before)
        span = stripped[entity["start"] : entity["end"]]
        new_span = rewrite(span)
        if new_span.strip():
            value = entity.get("value")
            new_value = new_span if value == span else rewrite(value) if isinstance(value, str) else value
            moved.append({**entity, "value": new_value, "start": length, "end": length + len(new_span)})
        pieces.append(new_span)
        length += len(new_span)
        position = entity["end"]
    pieces.append(rewrite(stripped[position:]))
    joined = "".join(pieces)
    lead = len(joined) - len(joined.lstrip())
    if joined.strip() != whole:
        return whole, []
    return whole, [_shifted(entity, -lead) for entity in moved]


def mask_example(text: str, entities: Iterable[Mapping[str, Any]] = ()) -> Tuple[str, List[Dict[str, Any]]]:
    """The text as the inbox stores it (stripped, personal data masked), with its entities moved along."""
    return rewrite_example(text, entities, mask_personal_data)


def entity_spans(text: str, entities: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Well-formed entities of `text` in order: {"entity", "value", "start", "end"} (+ "role"/"group" when
    given), trimmed of surrounding spaces; malformed ones and ones overlapping an earlier one are left out
    (extractors may tag the same words twice)."""
    candidates = []
    for entity in entities:
        if not isinstance(entity, Mapping):
            continue
        name, start, end = entity.get("entity"), entity.get("start"), entity.get("end")
        if not isinstance(name, str) or not name or not _is_int(start) or not _is_int(end):
            continue
        span = text[start:end] if 0 <= start < end <= len(text) else ""
        if not span.strip():
            continue
        value = entity.get("value", span)
        trimmed_start = start + len(span) - len(span.lstrip())
        trimmed_end = end - (len(span) - len(span.rstrip()))
        if value == span:
            value = text[trimmed_start:trimmed_end]
        clean: Dict[str, Any] = {"entity": name, "value": value, "start": trimmed_start, "end": trimmed_end}
        for extra in ("role", "group"):
            if isinstance(entity.get(extra), str) and entity[extra]:
                clean[extra] = entity[extra]
        candidates.append(clean)
    candidates.sort(key=lambda entity: (entity["start"], -entity["end"]))
    kept: List[Dict[str, Any]] = []
    for entity in candidates:
        if not kept or entity["start"] >= kept[-1]["end"]:
            kept.append(entity)
    return kept


def _shifted(entity: Mapping[str, Any], offset: int) -> Dict[str, Any]:
    moved = dict(entity)
    if _is_int(moved.get("start")) and _is_int(moved.get("end")):
        moved["start"] += offset
        moved["end"] += offset
    return moved


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- Tables -------------------------------------------------------------------------------------------------

metadata = MetaData()

inbox_messages_table = Table(
    "inbox_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, nullable=False, index=True),  # the broker's row id
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("group_key", Text, nullable=False),
    Column("key_hash", String(64), nullable=False, index=True),
    Column("intent", String(100), nullable=True, index=True),
    Column("confidence", Float, nullable=True),
    Column("entities", Text, nullable=False, default="[]"),
    Column("sent_at", DateTime(timezone=False), nullable=False, index=True),
    *(Column(f"flag_{flag}", Boolean, nullable=False, default=False) for flag in FLAGS),
)

inbox_labels_table = Table(
    "inbox_labels",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("group_key", Text, nullable=False),
    Column("text", Text, nullable=False),  # the wording labelled (and checked the entities against)
    Column("kind", String(20), nullable=False),
    Column("intent", String(100), nullable=True),
    Column("entities", Text, nullable=False, default="[]"),
    Column("reviewer", String(100), nullable=False),
    Column("labelled_at", DateTime(timezone=False), nullable=False),
)

inbox_marks_table = Table(
    "inbox_marks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("text", Text, nullable=False),  # masked, as the messages
    Column("sent_at", DateTime(timezone=False), nullable=False),
    Column("agent", String(100), nullable=False),
    Column("marked_at", DateTime(timezone=False), nullable=False),
    Column("message_id", Integer, nullable=True, index=True),  # None until the message is synced
)

# The customer's answer to "do you want to X, or Y?" for a message the NLU could not decide on.
inbox_clarifications_table = Table(
    "inbox_clarifications",
    metadata,
    Column("message_id", Integer, primary_key=True),  # inbox_messages.id
    Column("intent", String(100), nullable=False),
    Column("answered_at", DateTime(timezone=False), nullable=False),
)

inbox_cursor_table = Table(
    "inbox_cursor",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("last_event_id", Integer, nullable=False),
)

# The broker's own table, as rasa.core.brokers.sql declares it; only ever read.
_events_table = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)


class _CursorMoved(Exception):
    """Another process synced the same rows first."""


class Inbox:
    """Reads the broker's events into the inbox and keeps the reviewers' labels. Every method takes its own
    short transaction, so one instance can serve the console's threads."""

    def __init__(
        self,
        events_url: Optional[str] = None,
        database_url: Optional[str] = None,
        low_confidence: float = DEFAULT_LOW_CONFIDENCE,
    ) -> None:
        self.events_url = events_url or events_database_url()
        self.database_url = database_url or _default_database_url()
        self.low_confidence = low_confidence
        self.engine = engine_for(self.database_url)
        metadata.create_all(self.engine, checkfirst=True)
        self._events_engine: Optional[Engine] = None
        self._ensure_cursor()

    def close(self) -> None:
        self.engine.dispose()
        if self._events_engine is not None:
            self._events_engine.dispose()

    # --- Sync -----------------------------------------------------------------------------------------------

    def sync(self) -> int:
        """Store the customer messages logged since the last sync; returns how many were added."""
        events = self._events()
        added = 0
        while events is not None:
            cursor = self._cursor()
            rows = _read_events(events, cursor)
            if not rows:
                break
            try:
                added += self._store_batch(rows, cursor)
            except _CursorMoved:
                continue  # read again from where the other process got to
            if len(rows) < SYNC_BATCH:
                break
        self._apply_pending_marks()
        return added

    def _store_batch(self, rows: Sequence[Any], cursor: int) -> int:
        with self.engine.begin() as connection:
            # Moving the cursor first, on the condition it is still where we read from, makes two syncs at
            # once (console and export tool) safe: the second one's update finds nothing and rolls back.
            moved = connection.execute(
                update(inbox_cursor_table)
                .where(inbox_cursor_table.c.name == CURSOR_NAME, inbox_cursor_table.c.last_event_id == cursor)
                .values(last_event_id=rows[-1].id)
            ).rowcount
            if moved != 1:
                raise _CursorMoved()
            return sum(self._store_event(connection, row) for row in rows)

    def _store_event(self, connection: Connection, row: Any) -> int:
        try:
            event = json.loads(row.data)
        except (TypeError, ValueError):
            return 0
        if not isinstance(event, dict):
            return 0
        conversation_id = event.get("sender_id") or row.sender_id
        if not conversation_id:
            return 0
        conversation_id = str(conversation_id)
        kind = event.get("event")
        if kind == "user":
            return self._store_message(connection, row.id, conversation_id, event)
        if kind == "action" and event.get("name") == ESCALATION_ACTION:
            _flag_conversation(connection, conversation_id)
        elif kind == "slot" and event.get("name") == DENIALS_SLOT and _positive(event.get("value")):
            _flag_paraphrased(connection, conversation_id)
        return 0

    def _store_message(
        self, connection: Connection, event_id: int, conversation_id: str, event: Dict[str, Any]
    ) -> int:
        text = event.get("text")
        if isinstance(text, str) and text.strip().startswith("/"):
            _record_clarification(connection, conversation_id, event)
            return 0  # a button's intent payload ("/affirm"): nothing the customer wrote
        if not isinstance(text, str) or not text.strip():
            return 0  # nothing typed
        parse_data = event.get("parse_data") if isinstance(event.get("parse_data"), dict) else {}
        intent_data = parse_data.get("intent") if isinstance(parse_data.get("intent"), dict) else {}
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
        connection.execute(insert(inbox_messages_table).values(
            event_id=event_id, conversation_id=conversation_id, text=masked, group_key=key, key_hash=key_hash(key),
            intent=intent, confidence=confidence, entities=json.dumps(entities), sent_at=_event_time(event),
            **{f"flag_{flag}": value for flag, value in flags.items()},
        ))
        return 1

    def _events(self) -> Optional[Engine]:
        if self._events_engine is None:
            self._events_engine = _open_events_database(self.events_url)
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
            return connection.execute(statement).scalar()

    # --- Marks by agents ------------------------------------------------------------------------------------

    def mark_misunderstood(self, conversation_id: str, text: str, sent_at: datetime, agent: str) -> bool:
        """Flag a customer message an agent saw misunderstood in a transcript: the conversation's stored
        message with that text nearest to `sent_at` (within 5 minutes). When it is not synced yet, the mark
        waits and `sync` applies it. Returns whether a stored message was marked now."""
        conversation_id = _required(conversation_id, "conversation")
        agent = _required(agent, "agent")
        if not isinstance(text, str) or not text.strip():
            raise InboxError("say which message to mark: its text is missing")
        if not isinstance(sent_at, datetime):
            raise InboxError(f"sent_at must be a date and time, got {sent_at!r}")
        masked = mask_personal_data(text.strip())
        stamp = to_stored_time(sent_at)
        with self.engine.begin() as connection:
            message_id = _nearest_message(connection, conversation_id, masked, stamp)
            if message_id is None and _pending_mark_exists(connection, conversation_id, masked, stamp):
                return False
            connection.execute(insert(inbox_marks_table).values(
                conversation_id=conversation_id, text=masked, sent_at=stamp, agent=agent,
                marked_at=to_stored_time(utc_now()), message_id=message_id,
            ))
            if message_id is None:
                return False
            _set_flag(connection, message_id, "agent_marked")
        return True

    def _apply_pending_marks(self) -> None:
        marks = inbox_marks_table
        with self.engine.begin() as connection:
            pending = connection.execute(select(marks).where(marks.c.message_id.is_(None))).mappings().all()
            for mark in pending:
                message_id = _nearest_message(connection, mark["conversation_id"], mark["text"], mark["sent_at"])
                if message_id is not None:
                    connection.execute(update(marks).where(marks.c.id == mark["id"]).values(message_id=message_id))
                    _set_flag(connection, message_id, "agent_marked")

    # --- Groups ---------------------------------------------------------------------------------------------

    def groups(
        self,
        flag: Optional[str] = None,
        intent: Optional[str] = None,
        since: Optional[datetime] = None,
        until: Optional[datetime] = None,
        flagged_only: bool = True,
        include_labelled: bool = False,
        limit: int = 200,
    ) -> List[MessageGroup]:
        """Groups of the messages that pass the filters (a flag, the predicted intent, sent in [since, until)),
        most messages first, then most recently seen. `flagged_only` keeps groups with a flagged message;
        labelled groups are left out unless `include_labelled`."""
        if flag is not None and flag not in FLAGS:
            raise InboxError(f"unknown flag {flag!r}; one of {', '.join(FLAGS)}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InboxError(f"limit must be a whole number of at least 1, got {limit!r}")
        messages = inbox_messages_table
        conditions = _message_filters(flag, intent, since, until)
        count = func.count(messages.c.id)
        last_seen = func.max(messages.c.sent_at)
        statement = select(messages.c.key_hash).where(*conditions).group_by(messages.c.key_hash)
        if flagged_only:
            statement = statement.having(func.max(case((_any_flag(), 1), else_=0)) == 1)
        if not include_labelled:
            statement = statement.where(messages.c.key_hash.notin_(select(inbox_labels_table.c.key_hash)))
        statement = statement.order_by(count.desc(), last_seen.desc(), messages.c.key_hash).limit(limit)
        with self.engine.connect() as connection:
            hashes = list(connection.execute(statement).scalars())
            if not hashes:
                return []
            found = self._load_groups(connection, hashes, conditions)
        return [found[handle] for handle in hashes]

    def group(self, key: str) -> Optional[MessageGroup]:
        """Every message of one group, whatever its flags, or None when no message has that key."""
        if not isinstance(key, str):
            return None
        handle = key_hash(key)
        with self.engine.connect() as connection:
            return self._load_groups(connection, [handle], []).get(handle)

    def _load_groups(
        self, connection: Connection, hashes: Sequence[str], conditions: Sequence["ColumnElement[bool]"]
    ) -> Dict[str, MessageGroup]:
        messages = inbox_messages_table
        statement = (select(messages).where(messages.c.key_hash.in_(hashes), *conditions)
                     .order_by(messages.c.sent_at.desc(), messages.c.id.desc()))
        by_group: Dict[str, List[InboxMessage]] = {}
        for row in connection.execute(statement).mappings():
            by_group.setdefault(row["key_hash"], []).append(_message(row))
        texts = _representative_texts(connection, list(by_group))
        labels = _labels(connection, list(by_group))
        choices = _customer_choices(connection, by_group)
        return {handle: _group(found, texts[handle], labels.get(handle), choices.get(handle, {}))
                for handle, found in by_group.items()}

    # --- Labels ---------------------------------------------------------------------------------------------

    def label(
        self,
        keys: Sequence[str],
        kind: str,
        reviewer: str,
        intent: Optional[str] = None,
        entities: Optional[List[Dict[str, Any]]] = None,
    ) -> int:
        """Label groups (all or none): as an existing or a new intent (`intent` required), out of scope, or
        discard. `entities` mark words of each group's representative text. Replaces earlier labels; returns
        how many groups were labelled."""
        keys = _key_list(keys)
        if not keys:
            raise InboxError("choose at least one message group to label")
        if kind not in LABEL_KINDS:
            raise InboxError(f"unknown label {kind!r}; one of {', '.join(LABEL_KINDS)}")
        reviewer = _required(reviewer, "reviewer")
        if kind in ("intent", "new_intent"):
            intent = validate_intent_name(intent)
        else:
            intent = None
        hashes = [key_hash(key) for key in keys]
        now = to_stored_time(utc_now())
        with self.engine.begin() as connection:
            texts = _representative_texts(connection, hashes)
            unknown = [key for key, handle in zip(keys, hashes) if handle not in texts]
            if unknown:
                raise InboxError(f"no messages in the inbox for {', '.join(repr(key) for key in unknown)}")
            rows = []
            for key, handle in zip(keys, hashes):
                text = texts[handle]
                checked = [] if kind == "discard" else validate_label_entities(entities, text)
                rows.append({
                    "key_hash": handle, "group_key": key, "text": text, "kind": kind, "intent": intent,
                    "entities": json.dumps(checked), "reviewer": reviewer, "labelled_at": now,
                })
            connection.execute(delete(inbox_labels_table).where(inbox_labels_table.c.key_hash.in_(hashes)))
            connection.execute(insert(inbox_labels_table), rows)
        return len(rows)

    def unlabel(self, keys: Sequence[str]) -> int:
        """Remove the labels of these groups; returns how many labels there were."""
        hashes = [key_hash(key) for key in _key_list(keys)]
        if not hashes:
            return 0
        with self.engine.begin() as connection:
            return connection.execute(
                delete(inbox_labels_table).where(inbox_labels_table.c.key_hash.in_(hashes))
            ).rowcount

    def approved_examples(self) -> List[ApprovedExample]:
        """One training example per labelled group but discarded ones: the wording that was labelled."""
        labels = inbox_labels_table
        with self.engine.connect() as connection:
            rows = connection.execute(select(labels).where(labels.c.kind != "discard")).mappings().all()
        examples = [
            ApprovedExample(
                text=row["text"],
                intent=row["intent"] if row["kind"] in ("intent", "new_intent") else "out_of_scope",
                entities=json.loads(row["entities"] or "[]"),
            )
            for row in rows
        ]
        return sorted(examples, key=lambda example: (example.intent, example.text))


# --- Validation ---------------------------------------------------------------------------------------------


def validate_intent_name(intent: Optional[str]) -> str:
    if not isinstance(intent, str) or not INTENT_NAME.match(intent.strip()):
        raise InboxError(
            f"an intent name is 2-50 lower-case letters, digits and underscores, starting with a letter; "
            f"got {intent!r}"
        )
    intent = intent.strip()
    if intent in UNTRAINABLE_INTENTS:
        raise InboxError(f"{intent} is what the assistant says when it does not understand; choose the intent "
                         f"the customer meant, out of scope, or discard")
    return intent


def validate_label_entities(entities: Optional[Sequence[Any]], text: str) -> List[Dict[str, Any]]:
    """[{"entity", "value", "start", "end"}] checked against `text`: each a name, a span of `text` (its value
    the words at that span, which may be left out), none overlapping. Surrounding spaces are trimmed."""
    if entities is None:
        return []
    if isinstance(entities, (str, bytes, Mapping)) or not isinstance(entities, Sequence):
        raise InboxError("entities must be a list of {entity, value, start, end}")
    checked = []
    for entity in entities:
        if not isinstance(entity, Mapping):
            raise InboxError(f"an entity must be {{entity, value, start, end}}, got {entity!r}")
        name, start, end = entity.get("entity"), entity.get("start"), entity.get("end")
        if not isinstance(name, str) or not ENTITY_NAME.match(name):
            raise InboxError(f"an entity name is a letter then letters, digits, _ or -, got {name!r}")
        if not _is_int(start) or not _is_int(end) or not 0 <= start < end <= len(text):
            raise InboxError(f"entity {name} at {start!r}-{end!r} does not lie within {text!r}")
        span = text[start:end]
        if entity.get("value", span) != span:
            raise InboxError(f"entity {name} at {start}-{end} is {span!r} in {text!r}, not {entity.get('value')!r}")
        if not span.strip():
            raise InboxError(f"entity {name} at {start}-{end} is only spaces")
        start += len(span) - len(span.lstrip())
        end -= len(span) - len(span.rstrip())
        checked.append({"entity": name, "value": text[start:end], "start": start, "end": end})
    checked.sort(key=lambda item: (item["start"], item["end"]))
    for previous, following in zip(checked, checked[1:]):
        if following["start"] < previous["end"]:
            raise InboxError(f"entities {previous['value']!r} and {following['value']!r} overlap")
    return checked


def _required(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InboxError(f"the {what} is missing")
    return value.strip()


def _key_list(keys: Sequence[str]) -> List[str]:
    if isinstance(keys, str):
        keys = [keys]
    if any(not isinstance(key, str) for key in keys):
        raise InboxError("group keys must be text")
    return list(dict.fromkeys(keys))


# --- Queries ------------------------------------------------------------------------------------------------


def _default_database_url() -> str:
    return database_url()


def _open_events_database(url: str) -> Optional[Engine]:
    """A read-only engine on the broker's database, or None while there is none (SQLite file not made yet)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return None  # a private in-memory database is always empty
    if database.startswith("file:"):
        return create_engine(url, future=True, poolclass=NullPool)
    path = Path(database)
    if not path.is_file():
        return None  # connecting would create the file; the broker makes it on its first event
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return create_engine(
        "sqlite://", future=True, poolclass=NullPool,
        creator=lambda: sqlite3.connect(uri, uri=True, timeout=15, check_same_thread=False),
    )


def _read_events(engine: Engine, cursor: int) -> List[Any]:
    events = _events_table
    with engine.connect() as connection:
        if not inspect(connection).has_table("events"):
            return []
        statement = (select(events.c.id, events.c.sender_id, events.c.data)
                     .where(events.c.id > cursor).order_by(events.c.id).limit(SYNC_BATCH))
        return list(connection.execute(statement))


def _flag_conversation(connection: Connection, conversation_id: str) -> None:
    messages = inbox_messages_table
    connection.execute(update(messages)
                       .where(messages.c.conversation_id == conversation_id, messages.c.flag_escalated.is_(False))
                       .values(flag_escalated=True))


def _flag_paraphrased(connection: Connection, conversation_id: str) -> None:
    """Flag the complaint the bot paraphrased wrongly: the conversation's latest message that is no yes or no."""
    messages = inbox_messages_table
    statement = (select(messages.c.id)
                 .where(messages.c.conversation_id == conversation_id,
                        or_(messages.c.intent.is_(None), messages.c.intent.notin_(CONFIRMATION_INTENTS)))
                 .order_by(messages.c.event_id.desc(), messages.c.id.desc()).limit(1))
    message_id = connection.execute(statement).scalar()
    if message_id is not None:
        _set_flag(connection, message_id, "paraphrase_denied")


def _set_flag(connection: Connection, message_id: int, flag: str) -> None:
    messages = inbox_messages_table
    connection.execute(update(messages).where(messages.c.id == message_id).values(**{f"flag_{flag}": True}))


def _nearest_message(connection: Connection, conversation_id: str, text: str, sent_at: datetime) -> Optional[int]:
    messages = inbox_messages_table
    statement = select(messages.c.id, messages.c.sent_at).where(
        messages.c.conversation_id == conversation_id,
        messages.c.text == text,
        messages.c.sent_at >= sent_at - MARK_WINDOW,
        messages.c.sent_at <= sent_at + MARK_WINDOW,
    )
    candidates = [(abs(stored - sent_at), message_id) for message_id, stored in connection.execute(statement)]
    return min(candidates)[1] if candidates else None


def _pending_mark_exists(connection: Connection, conversation_id: str, text: str, sent_at: datetime) -> bool:
    marks = inbox_marks_table
    statement = select(marks.c.id).where(
        marks.c.conversation_id == conversation_id, marks.c.text == text, marks.c.sent_at == sent_at,
        marks.c.message_id.is_(None),
    )
    return connection.execute(statement).first() is not None


def _message_filters(
    flag: Optional[str], intent: Optional[str], since: Optional[datetime], until: Optional[datetime]
) -> List["ColumnElement[bool]"]:
    messages = inbox_messages_table
    conditions: List["ColumnElement[bool]"] = []
    if flag is not None:
        conditions.append(messages.c[f"flag_{flag}"].is_(True))
    if intent is not None:
        conditions.append(messages.c.intent == intent)
    if since is not None:
        conditions.append(messages.c.sent_at >= to_stored_time(since))
    if until is not None:
        conditions.append(messages.c.sent_at < to_stored_time(until))
    return conditions


def _any_flag() -> "ColumnElement[bool]":
    return or_(*(inbox_messages_table.c[f"flag_{flag}"].is_(True) for flag in FLAGS))


def _representative_texts(connection: Connection, hashes: Sequence[str]) -> Dict[str, str]:
    """Each group's most frequent wording over all its messages; ties go to the earliest."""
    if not hashes:
        return {}
    messages = inbox_messages_table
    statement = (select(messages.c.key_hash, messages.c.text, func.count(), func.min(messages.c.sent_at),
                        func.min(messages.c.id))
                 .where(messages.c.key_hash.in_(hashes)).group_by(messages.c.key_hash, messages.c.text))
    best: Dict[str, Tuple[Any, ...]] = {}
    for handle, text, count, first_seen, first_id in connection.execute(statement):
        rank = (-count, first_seen, first_id)
        if handle not in best or rank < best[handle][0]:
            best[handle] = (rank, text)
    return {handle: text for handle, (_, text) in best.items()}


def _labels(connection: Connection, hashes: Sequence[str]) -> Dict[str, Label]:
    if not hashes:
        return {}
    labels = inbox_labels_table
    rows = connection.execute(select(labels).where(labels.c.key_hash.in_(hashes))).mappings()
    return {
        row["key_hash"]: Label(
            group_key=row["group_key"], kind=row["kind"], intent=row["intent"],
            entities=json.loads(row["entities"] or "[]"), reviewer=row["reviewer"],
            labelled_at=from_stored_time(row["labelled_at"]),
        )
        for row in rows
    }


def _message(row: Mapping[str, Any]) -> InboxMessage:
    return InboxMessage(
        id=row["id"], conversation_id=row["conversation_id"], text=row["text"], intent=row["intent"],
        confidence=row["confidence"], entities=json.loads(row["entities"] or "[]"),
        sent_at=from_stored_time(row["sent_at"]), flags=frozenset(flag for flag in FLAGS if row[f"flag_{flag}"]),
        group_key=row["group_key"],
    )


def _record_clarification(connection: Connection, conversation_id: str, event: Mapping[str, Any]) -> None:
    """A button pressed right after a message the NLU fell back on: what the customer meant by that message."""
    parse_data = event.get("parse_data") if isinstance(event.get("parse_data"), dict) else {}
    intent_data = parse_data.get("intent") if isinstance(parse_data.get("intent"), dict) else {}
    intent = intent_data.get("name")
    if not isinstance(intent, str) or intent not in CLARIFIABLE_INTENTS:
        return  # "Something else" (/deny), or a button of another question
    messages = inbox_messages_table
    latest = connection.execute(
        select(messages.c.id, messages.c.flag_fallback)
        .where(messages.c.conversation_id == conversation_id).order_by(messages.c.id.desc()).limit(1)
    ).first()
    if latest is None or not latest.flag_fallback:
        return
    answered = connection.execute(
        select(inbox_clarifications_table.c.message_id).where(inbox_clarifications_table.c.message_id == latest.id)
    ).first()
    if answered is None:
        connection.execute(insert(inbox_clarifications_table).values(
            message_id=latest.id, intent=intent, answered_at=_event_time(event)))


def _customer_choices(connection: Connection, by_group: Mapping[str, List[InboxMessage]]) -> Dict[str, Dict[str, int]]:
    group_of = {message.id: handle for handle, found in by_group.items() for message in found}
    if not group_of:
        return {}
    rows = connection.execute(select(inbox_clarifications_table).where(
        inbox_clarifications_table.c.message_id.in_(list(group_of))))
    choices: Dict[str, Counter] = {}
    for row in rows:
        choices.setdefault(group_of[row.message_id], Counter())[row.intent] += 1
    return {handle: dict(counter) for handle, counter in choices.items()}


def _group(messages: List[InboxMessage], text: str, label: Optional[Label],
           customer_choices: Optional[Dict[str, int]] = None) -> MessageGroup:
    """`messages` newest first."""
    intents = Counter(message.intent for message in messages if message.intent)  # ties: the newest prediction
    confidences = [message.confidence for message in messages if message.confidence is not None]
    return MessageGroup(
        key=messages[0].group_key,
        text=text,
        count=len(messages),
        messages=messages,
        predicted_intent=intents.most_common(1)[0][0] if intents else None,
        min_confidence=min(confidences) if confidences else None,
        flags=frozenset().union(*(message.flags for message in messages)),
        last_seen=max(message.sent_at for message in messages),
        label=label,
        customer_choices=customer_choices or {},
    )


def _event_time(event: Mapping[str, Any]) -> datetime:
    stamp = event.get("timestamp")
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        try:
            return to_stored_time(datetime.fromtimestamp(stamp, timezone.utc))
        except (OverflowError, OSError, ValueError):
            pass
    return to_stored_time(utc_now())


def _as_float(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _positive(value: Any) -> bool:
    number = _as_float(value)
    return number is not None and number > 0
