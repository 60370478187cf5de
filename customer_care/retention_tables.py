"""What the purge does to each table (the reasons are in customer_care.retention's docstring), in batches of
`batch_size` rows, one short transaction each; with `dry_run` it only counts. The batches themselves are
customer_care.purge_batches'.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence, Set

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, and_, delete, func, inspect, or_, select, update
from sqlalchemy.engine import Connection, Engine

from addons.broker_events import broker_events_table
from customer_care.database import to_stored_time
from customer_care.inbox_tables import inbox_clarifications_table, inbox_marks_table, inbox_messages_table
from customer_care.issue_log import issue_log_table
from customer_care.masking import mask_personal_data
from customer_care.purge_batches import BatchedPurge, count_rows
from customer_care.tickets import CLOSING_STATUSES, OPEN_STATUSES, tickets_table

# The broker's scan stops at the first event this much newer than the cut-off (see customer_care.retention).
BROKER_SCAN_MARGIN = timedelta(days=1)

# Rasa's names (rasa.shared.core.events.SessionStarted.type_name, ActionExecuted.type_name,
# rasa.shared.core.constants.ACTION_SESSION_START_NAME); tests/unit/test_retention_settings.py checks them against Rasa.
SESSION_STARTED = "session_started"
ACTION_EXECUTED = "action"
ACTION_SESSION_START = "action_session_start"

# The columns the purge uses of the tracker store's `events` table, as Rasa's SQLTrackerStore.SQLEvent declares
# them (tests/unit/test_retention_settings.py checks them against Rasa's). Declared here so that the console,
# which runs the daily purge, does not import Rasa's tracker store. The event broker's table is
# addons.broker_events's.
tracker_events_table = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("action_name", String(255)),
)

# What the issue log forgets of an old row (see customer_care.retention).
ISSUE_LOG_CLEARED: Dict[str, Any] = {"raw_text": "", "comment": None, "order_number": None}
# What a ticket closed before the cut-off forgets; its outcome note is masked besides.
TICKET_CLEARED: Dict[str, Any] = {"summary": "", "customer_name": None, "customer_email": None}


@dataclass(frozen=True)
class TableOutcome:
    store: str  # "tracker store", "event broker", "assistant database"
    table: str
    rows: int  # rows deleted, or rows whose texts were cleared
    unit: str  # what a row is, singular: "event", "message", "closed ticket"
    what: str  # "deleted", "cleared of ..."
    details: str = ""

    def line(self) -> str:
        details = f" ({self.details})" if self.details else ""
        return f"{self.store}: {self.table}: {_plural(self.rows, self.unit)} {self.what}{details}"


def _has_table(engine: Engine, name: str) -> bool:
    with engine.connect() as connection:
        found: bool = inspect(connection).has_table(name)
    return found


class PurgeJob(BatchedPurge):
    """One purge: the cut-off in both forms the tables store times in, the batch size, dry run or not."""

    def __init__(self, cutoff: datetime, batch_size: int, dry_run: bool) -> None:
        super().__init__(batch_size, dry_run)
        self.cutoff_stamp = cutoff.timestamp()  # Rasa's events: Unix seconds
        self.cutoff_stored = to_stored_time(cutoff)  # the assistant's tables: naive UTC

    # --- The tracker store --------------------------------------------------------------------------------

    def tracker(self, engine: Engine, protected: Set[str]) -> List[TableOutcome]:
        if not _has_table(engine, "events"):
            return []
        table = tracker_events_table
        old = or_(table.c.timestamp < self.cutoff_stamp, table.c.timestamp.is_(None))
        deleted = removed = trimmed = left_open = 0
        after: Optional[str] = None
        while True:
            statement = select(table.c.sender_id).where(table.c.timestamp < self.cutoff_stamp)
            if after is not None:
                statement = statement.where(table.c.sender_id > after)
            statement = statement.group_by(table.c.sender_id).order_by(table.c.sender_id).limit(self.batch)
            with engine.connect() as connection:
                senders = list(connection.execute(statement).scalars())
            if not senders:
                break
            after = senders[-1]
            candidates = [sender for sender in senders if sender not in protected]
            left_open += len(senders) - len(candidates)
            keep_from = self._current_sessions(engine, candidates)
            gone = [sender for sender in candidates if sender not in keep_from]
            if gone:
                deleted += self._delete(engine, table, and_(table.c.sender_id.in_(gone), old))
                removed += len(gone)
            for sender, first_kept in keep_from.items():
                count = self._delete(engine, table, and_(table.c.sender_id == sender, table.c.id < first_kept))
                deleted += count
                trimmed += 1 if count else 0
            if len(senders) < self.batch:
                break
        details = [f"{_plural(removed, 'conversation')} removed", f"{trimmed:,} cut to their current session"]
        if left_open:
            details.append(f"{left_open:,} with an open ticket kept whole")
        return [TableOutcome("tracker store", "events", deleted, "event", "deleted", ", ".join(details))]

    def _current_sessions(self, engine: Engine, senders: Sequence[str]) -> Dict[str, int]:
        """For each of `senders` with an event at or after the cut-off: the id of its first event to keep, the
        start of the session that newer event belongs to (its first event, when it has no session start)."""
        if not senders:
            return {}
        table = tracker_events_table
        session_start = or_(
            table.c.type_name == SESSION_STARTED,
            and_(table.c.type_name == ACTION_EXECUTED, table.c.action_name == ACTION_SESSION_START),
        )
        keep: Dict[str, int] = {}
        with engine.connect() as connection:
            firsts = connection.execute(
                select(table.c.sender_id, func.min(table.c.id))
                .where(table.c.sender_id.in_(senders), table.c.timestamp >= self.cutoff_stamp)
                .group_by(table.c.sender_id)
            ).all()
            for sender, first_recent in firsts:
                start = connection.execute(
                    select(table.c.id, table.c.type_name)
                    .where(table.c.sender_id == sender, table.c.id <= first_recent, session_start)
                    .order_by(table.c.id.desc())
                    .limit(1)
                ).first()
                if start is None:
                    keep[sender] = first_recent
                    continue
                keep[sender] = start.id
                if start.type_name == SESSION_STARTED:  # Rasa logs action_session_start just before it
                    before = connection.execute(
                        select(table.c.id, table.c.type_name, table.c.action_name)
                        .where(table.c.sender_id == sender, table.c.id < start.id)
                        .order_by(table.c.id.desc())
                        .limit(1)
                    ).first()
                    if (
                        before is not None
                        and before.type_name == ACTION_EXECUTED
                        and before.action_name == ACTION_SESSION_START
                    ):
                        keep[sender] = before.id
        return keep

    # --- The event broker ---------------------------------------------------------------------------------

    def broker(self, engine: Engine) -> List[TableOutcome]:
        if not _has_table(engine, "events"):
            return []
        table = broker_events_table
        stop_at = self.cutoff_stamp + BROKER_SCAN_MARGIN.total_seconds()
        with engine.connect() as connection:
            newest = connection.execute(select(func.max(table.c.id))).scalar()
        deleted = 0
        after = 0
        undated: List[int] = []  # rows without a readable time since the last dated one
        while True:
            with engine.connect() as connection:
                rows = connection.execute(
                    select(table.c.id, table.c.data).where(table.c.id > after).order_by(table.c.id).limit(self.batch)
                ).all()
            if not rows:
                break
            old: List[int] = []
            finished = False
            for row in rows:
                stamp = _event_timestamp(row.data)
                if stamp is None:
                    undated.append(row.id)
                elif stamp < self.cutoff_stamp:
                    old += undated + [row.id]
                    undated = []
                else:
                    undated = []
                    if stamp >= stop_at:
                        finished = True
                        break
            if newest in old:
                # Emptied rather than deleted: SQLite numbers a new row after the highest id left, and the inbox
                # reads only ids above the last one it read, so an empty table would hide the next events from it.
                old.remove(newest)
                deleted += 1
                if not self.dry_run:
                    with engine.begin() as connection:
                        connection.execute(update(table).where(table.c.id == newest).values(sender_id=None, data="{}"))
            deleted += self._delete_ids(engine, table, old)
            if finished or len(rows) < self.batch:
                break
            after = rows[-1].id
        return [TableOutcome("event broker", "events", deleted, "event", "deleted")]

    # --- The assistant's database -------------------------------------------------------------------------

    def open_tickets(self, engine: Engine) -> Set[str]:
        """Conversations with a waiting or claimed ticket: their tracker events stay."""
        if not _has_table(engine, tickets_table.name):
            return set()
        statement = select(tickets_table.c.conversation_id).where(tickets_table.c.status.in_(OPEN_STATUSES))
        with engine.connect() as connection:
            return set(connection.execute(statement).scalars())

    def care(self, engine: Engine) -> List[TableOutcome]:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
        outcomes: List[TableOutcome] = []
        if inbox_messages_table.name in present:
            outcomes += self._inbox(engine, present)
        if issue_log_table.name in present:
            outcomes.append(self._issue_log(engine))
        if tickets_table.name in present:
            outcomes.append(self._tickets(engine))
        return outcomes

    def _inbox(self, engine: Engine, present: Set[str]) -> List[TableOutcome]:
        messages, marks, choices = inbox_messages_table, inbox_marks_table, inbox_clarifications_table
        has_marks, has_choices = marks.name in present, choices.name in present
        old_messages = messages.c.sent_at < self.cutoff_stored
        counts = {"messages": 0, "marks": 0, "clarifications": 0}
        if self.dry_run:
            old_ids = select(messages.c.id).where(old_messages)
            with engine.connect() as connection:
                counts["messages"] = count_rows(connection, messages, old_messages)
                if has_choices:
                    counts["clarifications"] = count_rows(connection, choices, choices.c.message_id.in_(old_ids))
                if has_marks:
                    counts["marks"] = count_rows(
                        connection, marks, or_(marks.c.message_id.in_(old_ids), marks.c.sent_at < self.cutoff_stored)
                    )
        else:

            def delete_with_theirs(connection: Connection, ids: List[int]) -> int:
                if has_choices:
                    counts["clarifications"] += connection.execute(
                        delete(choices).where(choices.c.message_id.in_(ids))
                    ).rowcount
                if has_marks:
                    counts["marks"] += connection.execute(delete(marks).where(marks.c.message_id.in_(ids))).rowcount
                return int(connection.execute(delete(messages).where(messages.c.id.in_(ids))).rowcount)

            counts["messages"] = self._in_batches(engine, messages, old_messages, delete_with_theirs)
            if has_marks:  # marks that never found their message
                counts["marks"] += self._delete(engine, marks, marks.c.sent_at < self.cutoff_stored)
        outcomes = [TableOutcome("assistant database", messages.name, counts["messages"], "message", "deleted")]
        if has_marks:
            outcomes.append(TableOutcome("assistant database", marks.name, counts["marks"], "mark", "deleted"))
        if has_choices:
            outcomes.append(
                TableOutcome("assistant database", choices.name, counts["clarifications"], "customer choice", "deleted")
            )
        return outcomes

    def _issue_log(self, engine: Engine) -> TableOutcome:
        table = issue_log_table
        condition = and_(
            table.c.created_at < self.cutoff_stored,
            or_(table.c.raw_text != "", table.c.comment.isnot(None), table.c.order_number.isnot(None)),
        )
        if self.dry_run:
            with engine.connect() as connection:
                cleared = count_rows(connection, table, condition)
        else:
            cleared = self._in_batches(
                engine,
                table,
                condition,
                lambda connection, ids: (
                    connection.execute(update(table).where(table.c.id.in_(ids)).values(**ISSUE_LOG_CLEARED)).rowcount
                ),
            )
        return TableOutcome(
            "assistant database",
            table.name,
            cleared,
            "row",
            "cleared of raw text, comment and order number",
            "rows, counts, ratings and masked paraphrases kept",
        )

    def _tickets(self, engine: Engine) -> TableOutcome:
        table = tickets_table
        closed_long_ago = and_(
            table.c.status.in_(CLOSING_STATUSES),
            or_(
                table.c.closed_at < self.cutoff_stored,
                and_(table.c.closed_at.is_(None), table.c.updated_at < self.cutoff_stored),
            ),
        )
        columns = [table.c.id, table.c.outcome, *(table.c[name] for name in TICKET_CLEARED)]
        changed = 0
        after = 0
        while True:
            with engine.begin() as connection:
                rows = (
                    connection.execute(
                        select(*columns)
                        .where(closed_long_ago, table.c.id > after)
                        .order_by(table.c.id)
                        .limit(self.batch)
                    )
                    .mappings()
                    .all()
                )
                for row in rows:
                    values = {name: empty for name, empty in TICKET_CLEARED.items() if row[name] != empty}
                    if row["outcome"]:
                        masked = mask_personal_data(row["outcome"])
                        if masked != row["outcome"]:
                            values["outcome"] = masked
                    if values:
                        changed += 1
                        if not self.dry_run:
                            connection.execute(update(table).where(table.c.id == row["id"]).values(**values))
            if len(rows) < self.batch:
                break
            after = rows[-1]["id"]
        return TableOutcome(
            "assistant database",
            table.name,
            changed,
            "closed ticket",
            "cleared of summary, customer name and e-mail",
            "id, category, status, times and masked outcome kept",
        )


def _plural(count: int, unit: str) -> str:
    return f"{count:,} {unit}{'' if count == 1 else 's'}"


def _event_timestamp(data: Any) -> Optional[float]:
    try:
        content = json.loads(data)
    except (TypeError, ValueError):
        return None
    stamp = content.get("timestamp") if isinstance(content, dict) else None
    if isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
        return None
    return float(stamp)
