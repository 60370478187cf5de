"""The inbox read back for review: the records reviewers see (messages, labels, groups) and the queries that
build them from the inbox's tables.

Kept apart from customer_care.inbox, which checks what callers ask for and writes marks and labels, because
this side only reads: it turns rows into records, picks each group's representative wording, and gathers the
labels and the customers' own choices (customer_care.clarification) that go with a group.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from customer_care.database import from_stored_time, to_stored_time
from customer_care.inbox_tables import FLAGS, inbox_clarifications_table, inbox_labels_table, inbox_messages_table


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


def load_groups(
    connection: Connection, hashes: Sequence[str], conditions: Sequence["ColumnElement[bool]"]
) -> Dict[str, MessageGroup]:
    """The groups with these key hashes, by hash; `conditions` restrict the messages each one holds."""
    messages = inbox_messages_table
    statement = (
        select(messages)
        .where(messages.c.key_hash.in_(hashes), *conditions)
        .order_by(messages.c.sent_at.desc(), messages.c.id.desc())
    )
    by_group: Dict[str, List[InboxMessage]] = {}
    for row in connection.execute(statement).mappings():
        by_group.setdefault(row["key_hash"], []).append(_message(row))
    texts = representative_texts(connection, list(by_group))
    labels = _labels(connection, list(by_group))
    choices = _customer_choices(connection, by_group)
    return {
        handle: _group(found, texts[handle], labels.get(handle), choices.get(handle, {}))
        for handle, found in by_group.items()
    }


def message_filters(
    flag: Optional[str], intent: Optional[str], since: Optional[datetime], until: Optional[datetime]
) -> List["ColumnElement[bool]"]:
    messages = inbox_messages_table
    conditions: List[ColumnElement[bool]] = []
    if flag is not None:
        conditions.append(messages.c[f"flag_{flag}"].is_(True))
    if intent is not None:
        conditions.append(messages.c.intent == intent)
    if since is not None:
        conditions.append(messages.c.sent_at >= to_stored_time(since))
    if until is not None:
        conditions.append(messages.c.sent_at < to_stored_time(until))
    return conditions


def any_flag() -> "ColumnElement[bool]":
    return or_(*(inbox_messages_table.c[f"flag_{flag}"].is_(True) for flag in FLAGS))


def representative_texts(connection: Connection, hashes: Sequence[str]) -> Dict[str, str]:
    """Each group's most frequent wording over all its messages; ties go to the earliest."""
    if not hashes:
        return {}
    messages = inbox_messages_table
    statement = (
        select(
            messages.c.key_hash, messages.c.text, func.count(), func.min(messages.c.sent_at), func.min(messages.c.id)
        )
        .where(messages.c.key_hash.in_(hashes))
        .group_by(messages.c.key_hash, messages.c.text)
    )
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
            group_key=row["group_key"],
            kind=row["kind"],
            intent=row["intent"],
            entities=json.loads(row["entities"] or "[]"),
            reviewer=row["reviewer"],
            labelled_at=from_stored_time(row["labelled_at"]),
        )
        for row in rows
    }


def _message(row: Mapping[str, Any]) -> InboxMessage:
    return InboxMessage(
        id=row["id"],
        conversation_id=row["conversation_id"],
        text=row["text"],
        intent=row["intent"],
        confidence=row["confidence"],
        entities=json.loads(row["entities"] or "[]"),
        sent_at=from_stored_time(row["sent_at"]),
        flags=frozenset(flag for flag in FLAGS if row[f"flag_{flag}"]),
        group_key=row["group_key"],
    )


def _customer_choices(connection: Connection, by_group: Mapping[str, List[InboxMessage]]) -> Dict[str, Dict[str, int]]:
    group_of = {message.id: handle for handle, found in by_group.items() for message in found}
    if not group_of:
        return {}
    rows = connection.execute(
        select(inbox_clarifications_table).where(inbox_clarifications_table.c.message_id.in_(list(group_of)))
    )
    choices: Dict[str, Counter[str]] = {}
    for row in rows:
        choices.setdefault(group_of[row.message_id], Counter())[row.intent] += 1
    return {handle: dict(counter) for handle, counter in choices.items()}


def _group(
    messages: List[InboxMessage], text: str, label: Optional[Label], customer_choices: Optional[Dict[str, int]] = None
) -> MessageGroup:
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
