"""The retraining inbox: what customers said that the assistant may have misunderstood, grouped for review.

Rasa's SQL event broker writes every event of every conversation to its own database. `Inbox.sync` copies the
customer messages it has not seen yet into the assistant's own database (`settings.database_url()`, tables in
customer_care.inbox_tables) with flags saying why they may need a look (`inbox_tables.FLAGS`), and never writes
to the broker's database (customer_care.inbox_sync). Wordings that differ only in case, punctuation, emoji or
digits share a group (`group_key`), so a reviewer labels "Where is my order 123456?" once for every order number.
Labelled groups become training examples (`approved_examples`, written out by addons.nlu_export; the texts'
helpers are in customer_care.training_examples).

When the bot could not choose between two intents it asks the customer (customer_care.clarification); the
button the customer presses is recorded against the message it clarified (`customer_choices` of a group), so
a reviewer sees what the customer meant next to what the NLU predicted.

This module checks what callers ask for and writes marks and labels; the records a reviewer reads (messages,
labels, groups) and the queries that build them are customer_care.inbox_groups'.

Customer texts are masked (cards, e-mail addresses, phone numbers) before they are stored, as in the issue log;
reviewers see, and label, the masked text. Times are stored as naive UTC and handed back timezone-aware.
"""

import json
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.engine import Connection

from customer_care.database import engine_for, to_stored_time, utc_now
from customer_care.inbox_groups import (
    InboxMessage,
    Label,
    MessageGroup,
    any_flag,
    load_groups,
    message_filters,
    representative_texts,
)
from customer_care.inbox_sync import BrokerSync, nearest_message, set_flag
from customer_care.inbox_tables import FLAGS, inbox_labels_table, inbox_marks_table, inbox_messages_table, metadata
from customer_care.masking import mask_personal_data
from customer_care.settings import database_url as default_database_url
from customer_care.settings import events_database_url
from customer_care.training_examples import (
    ApprovedExample,
    InboxError,
    group_key,
    key_hash,
    validate_intent_name,
    validate_label_entities,
)

# What other modules import from here: the inbox, its records and errors, and the helpers labels are made with.
__all__ = [
    "FLAGS",
    "LABEL_KINDS",
    "ApprovedExample",
    "Inbox",
    "InboxError",
    "InboxMessage",
    "Label",
    "MessageGroup",
    "group_key",
]

LABEL_KINDS = ("intent", "new_intent", "out_of_scope", "discard")
DEFAULT_LOW_CONFIDENCE = 0.6


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
        self.database_url = database_url or default_database_url()
        self.low_confidence = low_confidence
        self.engine = engine_for(self.database_url)
        metadata.create_all(self.engine, checkfirst=True)
        self._broker = BrokerSync(self.engine, self.events_url, low_confidence)

    def close(self) -> None:
        self.engine.dispose()
        self._broker.close()

    def sync(self) -> int:
        """Store the customer messages logged since the last sync, and flag those agents marked before they were
        stored; returns how many messages were added."""
        return self._broker.sync()

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
            message_id = nearest_message(connection, conversation_id, masked, stamp)
            if message_id is None and _pending_mark_exists(connection, conversation_id, masked, stamp):
                return False
            connection.execute(
                insert(inbox_marks_table).values(
                    conversation_id=conversation_id,
                    text=masked,
                    sent_at=stamp,
                    agent=agent,
                    marked_at=to_stored_time(utc_now()),
                    message_id=message_id,
                )
            )
            if message_id is None:
                return False
            set_flag(connection, message_id, "agent_marked")
        return True

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
        conditions = message_filters(flag, intent, since, until)
        count = func.count(messages.c.id)
        last_seen = func.max(messages.c.sent_at)
        statement = select(messages.c.key_hash).where(*conditions).group_by(messages.c.key_hash)
        if flagged_only:
            statement = statement.having(func.max(case((any_flag(), 1), else_=0)) == 1)
        if not include_labelled:
            statement = statement.where(messages.c.key_hash.notin_(select(inbox_labels_table.c.key_hash)))
        statement = statement.order_by(count.desc(), last_seen.desc(), messages.c.key_hash).limit(limit)
        with self.engine.connect() as connection:
            hashes = list(connection.execute(statement).scalars())
            if not hashes:
                return []
            found = load_groups(connection, hashes, conditions)
        return [found[handle] for handle in hashes]

    def group(self, key: str) -> Optional[MessageGroup]:
        """Every message of one group, whatever its flags, or None when no message has that key."""
        if not isinstance(key, str):
            return None
        handle = key_hash(key)
        with self.engine.connect() as connection:
            return load_groups(connection, [handle], []).get(handle)

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
            texts = representative_texts(connection, hashes)
            unknown = [key for key, handle in zip(keys, hashes, strict=True) if handle not in texts]
            if unknown:
                raise InboxError(f"no messages in the inbox for {', '.join(repr(key) for key in unknown)}")
            rows = []
            for key, handle in zip(keys, hashes, strict=True):
                text = texts[handle]
                checked = [] if kind == "discard" else validate_label_entities(entities, text)
                rows.append(
                    {
                        "key_hash": handle,
                        "group_key": key,
                        "text": text,
                        "kind": kind,
                        "intent": intent,
                        "entities": json.dumps(checked),
                        "reviewer": reviewer,
                        "labelled_at": now,
                    }
                )
            connection.execute(delete(inbox_labels_table).where(inbox_labels_table.c.key_hash.in_(hashes)))
            connection.execute(insert(inbox_labels_table), rows)
        return len(rows)

    def unlabel(self, keys: Sequence[str]) -> int:
        """Remove the labels of these groups; returns how many labels there were."""
        hashes = [key_hash(key) for key in _key_list(keys)]
        if not hashes:
            return 0
        with self.engine.begin() as connection:
            removed: int = connection.execute(
                delete(inbox_labels_table).where(inbox_labels_table.c.key_hash.in_(hashes))
            ).rowcount
        return removed

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


def _pending_mark_exists(connection: Connection, conversation_id: str, text: str, sent_at: datetime) -> bool:
    marks = inbox_marks_table
    statement = select(marks.c.id).where(
        marks.c.conversation_id == conversation_id,
        marks.c.text == text,
        marks.c.sent_at == sent_at,
        marks.c.message_id.is_(None),
    )
    return connection.execute(statement).first() is not None
