"""The frequent-issue log: one row per complaint, escalation or fallback, so the shop can see what goes wrong most.

Rows live in one SQL table (`issue_log`) reached through SQLAlchemy Core, so the demo's SQLite file and a
production PostgreSQL/MySQL database work alike; the URL comes from `settings.database_url()` unless given.
Everything a customer typed is masked (cards, e-mail addresses, phone numbers) *before* it is written: the
log is read by people who need to know the problem, not the person.

Times are stored as naive UTC (portable across databases) and handed back timezone-aware. Periods are
half-open, [since, until), so adjacent periods never count a row twice.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from customer_care.database import engine_for, from_row, from_stored_time, to_stored_time, utc_now
from customer_care.masking import mask_personal_data
from customer_care.problem_phrases import problem_phrases
from customer_care.settings import database_url


class IssueKind(str, Enum):
    COMPLAINT = "complaint"
    ESCALATION = "escalation"
    FALLBACK = "fallback"  # the assistant did not understand; frequent ones show gaps in the training data


class IssueOutcome(str, Enum):
    """How an issue ended, stored as its value; a new outcome needs a member here, no migration (free text)."""

    SOLUTION_ACCEPTED = "solution_accepted"  # the customer took the bot's solution
    ESCALATED = "escalated"  # handed to a person
    RESOLVED_BY_AGENT = "resolved_by_agent"  # an agent resolved the ticket in the console
    NOT_UNDERSTOOD = "not_understood"  # a fallback, or a paraphrase the customer never confirmed
    OUT_OF_SCOPE = "out_of_scope"  # a request no shop handles


UNCATEGORISED = "uncategorised"  # how reports name rows without a category (most fallbacks)
MIN_RATING = 1
MAX_RATING = 5

metadata = MetaData()

issue_log_table = Table(
    "issue_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=False), nullable=False, index=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("category", String(50), nullable=True),
    Column("severity", String(200), nullable=False, default=""),
    Column("paraphrase", Text, nullable=False, default=""),
    Column("raw_text", Text, nullable=False, default=""),
    Column("order_number", String(20), nullable=True),
    Column("outcome", String(50), nullable=True),
    Column("rating", Integer, nullable=True),
    Column("comment", Text, nullable=True),
    CheckConstraint(f"rating IS NULL OR rating BETWEEN {MIN_RATING} AND {MAX_RATING}", name="issue_log_rating_range"),
)


@dataclass(frozen=True)
class IssueEntry:
    """One logged issue. `id` and `created_at` are filled in by the log when left out."""

    conversation_id: str
    kind: str  # an IssueKind value
    raw_text: str = ""
    paraphrase: str = ""
    category: Optional[str] = None
    severity: Tuple[str, ...] = ()  # e.g. ("urgent", "repeat_contact"); stored comma-joined
    order_number: Optional[str] = None
    outcome: Optional[str] = None  # an IssueOutcome value
    rating: Optional[int] = None
    comment: Optional[str] = None
    created_at: Optional[datetime] = None
    id: Optional[int] = None

    def __post_init__(self) -> None:
        # A list or the stored text ("urgent,repeat_contact") from a caller still ends up as one clean tuple.
        object.__setattr__(self, "severity", parse_severity(self.severity))


class UnknownIssue(LookupError):
    """No log entry with that id, or none for that conversation."""


def parse_severity(severity: Union[str, Iterable[str], None]) -> Tuple[str, ...]:
    """("urgent", "repeat_contact") from "urgent, repeat_contact", a sequence of labels, or nothing."""
    if not severity:
        return ()
    labels = severity.split(",") if isinstance(severity, str) else severity
    return tuple(label.strip() for label in labels if label and label.strip())


def validate_kind(kind: str) -> str:
    return IssueKind(kind).value  # ValueError names the bad value


def validate_outcome(outcome: Optional[str]) -> Optional[str]:
    return IssueOutcome(outcome).value if outcome else None  # ValueError names the bad value


def validate_rating(rating: Optional[int]) -> Optional[int]:
    if rating is None:
        return None
    if isinstance(rating, bool) or not isinstance(rating, int) or not MIN_RATING <= rating <= MAX_RATING:
        raise ValueError(f"rating must be a whole number from {MIN_RATING} to {MAX_RATING}, got {rating!r}")
    return rating


@dataclass(frozen=True)
class CategoryTrend:
    """How often one category came up in a period, next to the period before."""

    category: str
    count: int
    previous_count: int

    @property
    def change(self) -> int:
        return self.count - self.previous_count

    @property
    def trend(self) -> str:
        return describe_trend(self.count, self.previous_count)


def describe_trend(count: int, previous_count: int) -> str:
    """An arrow with the relative change: "↑ +50%", "↓ -25%", "→ 0%"; "↑ new" when there was nothing before."""
    if previous_count == 0:
        return "↑ new" if count else "→ 0%"
    if count == previous_count:
        return "→ 0%"
    percent = round(100 * (count - previous_count) / previous_count)
    return f"{'↑' if count > previous_count else '↓'} {percent:+d}%"


@dataclass(frozen=True)
class Report:
    """The issues of the last `days` days against the `days` before them."""

    days: int
    since: datetime
    until: datetime
    total: int
    previous_total: int
    categories: List[CategoryTrend] = field(default_factory=list)  # most frequent first
    kinds: List[Tuple[str, int]] = field(default_factory=list)
    phrases: List[Tuple[str, int]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def trend(self) -> str:
        return describe_trend(self.total, self.previous_total)


class IssueLog:
    """Reads and writes the issue log. One instance per process is enough: every method takes a connection
    from the engine's pool for one short transaction, so threads (Rasa's action server) can share it."""

    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url or database_url()
        self.engine = engine_for(self.url)
        metadata.create_all(self.engine, tables=[issue_log_table], checkfirst=True)

    def close_connections(self) -> None:
        self.engine.dispose()

    def record(self, entry: IssueEntry) -> int:
        """Store `entry` with personal data masked; returns its id."""
        row = _row_from_entry(entry)
        with self.engine.begin() as connection:
            result = connection.execute(issue_log_table.insert().values(**row))
            return int(result.inserted_primary_key[0])

    def update_outcome(self, entry_id: int, outcome: str) -> None:
        statement = (
            issue_log_table.update().where(issue_log_table.c.id == entry_id).values(outcome=validate_outcome(outcome))
        )
        with self.engine.begin() as connection:
            if connection.execute(statement).rowcount == 0:
                raise UnknownIssue(f"no issue log entry {entry_id}")

    def record_rating(self, conversation_id: str, rating: int, comment: Optional[str] = None) -> int:
        """Attach the customer's rating (1-5) to the conversation's latest entry; returns that entry's id."""
        if validate_rating(rating) is None:
            raise ValueError("a rating is required")
        with self.engine.begin() as connection:
            entry_id = connection.execute(_latest_entry_id(conversation_id)).scalar()
            if entry_id is None:
                raise UnknownIssue(f"no issue logged for conversation {conversation_id!r}")
            values: Dict[str, Any] = {"rating": rating}
            if comment is not None:
                values["comment"] = mask_personal_data(comment)
            connection.execute(issue_log_table.update().where(issue_log_table.c.id == entry_id).values(**values))
            return int(entry_id)

    def entries(self, since: Optional[datetime] = None, until: Optional[datetime] = None) -> List[IssueEntry]:
        """Entries created in [since, until), oldest first; either bound may be left open."""
        table = issue_log_table
        statement = select(table).where(*_in_period(since, until)).order_by(table.c.created_at, table.c.id)
        with self.engine.connect() as connection:
            return [_entry_from_row(row._mapping) for row in connection.execute(statement)]

    def for_conversation(self, conversation_id: str) -> List[IssueEntry]:
        """Everything logged about one conversation, oldest first."""
        table = issue_log_table
        statement = (
            select(table).where(table.c.conversation_id == conversation_id).order_by(table.c.created_at, table.c.id)
        )
        with self.engine.connect() as connection:
            return [_entry_from_row(row._mapping) for row in connection.execute(statement)]

    def has_complained_before(self, conversation_id: str, category: str, since: datetime) -> bool:
        """Whether this conversation logged a complaint of `category` since `since` (a repeat complaint)."""
        return any(
            entry.kind == IssueKind.COMPLAINT.value
            and entry.category == category
            and entry.created_at is not None
            and entry.created_at >= since
            for entry in self.for_conversation(conversation_id)
        )

    def category_counts(
        self, since: Optional[datetime] = None, until: Optional[datetime] = None
    ) -> List[Tuple[str, int]]:
        """(category, count) in [since, until), most frequent first; no category counts as UNCATEGORISED."""
        counts: Counter[str] = Counter()
        for name, count in self._counts_by(issue_log_table.c.category, since, until).items():
            counts[name or UNCATEGORISED] += count
        return _most_frequent_first(counts)

    def kind_counts(self, since: Optional[datetime] = None, until: Optional[datetime] = None) -> List[Tuple[str, int]]:
        return _most_frequent_first(self._counts_by(issue_log_table.c.kind, since, until))

    def common_phrases(
        self,
        since: Optional[datetime] = None,
        until: Optional[datetime] = None,
        limit: int = 10,
        min_count: int = 2,
    ) -> List[Tuple[str, int]]:
        """The problem phrases most entries share (see `problem_phrases`)."""
        table = issue_log_table
        statement = select(table.c.paraphrase, table.c.raw_text).where(*_in_period(since, until))
        with self.engine.connect() as connection:
            texts = [paraphrase or raw_text for paraphrase, raw_text in connection.execute(statement)]
        return problem_phrases(texts, limit=limit, min_count=min_count)

    def frequency_report(self, days: int = 7, now: Optional[datetime] = None, phrase_limit: int = 10) -> Report:
        """The last `days` days up to `now`, each category next to its count in the `days` before."""
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        until = from_stored_time(to_stored_time(now or utc_now()))  # aware UTC, whatever zone `now` was in
        since = until - timedelta(days=days)
        previous_since = since - timedelta(days=days)
        current = dict(self.category_counts(since, until))
        previous = dict(self.category_counts(previous_since, since))
        return Report(
            days=days,
            since=since,
            until=until,
            total=sum(current.values()),
            previous_total=sum(previous.values()),
            categories=_category_trends(current, previous),
            kinds=self.kind_counts(since, until),
            phrases=self.common_phrases(since, until, limit=phrase_limit),
        )

    def _counts_by(
        self, column: "ColumnElement[Any]", since: Optional[datetime], until: Optional[datetime]
    ) -> Dict[Optional[str], int]:
        # Grouped on the raw column (not COALESCE(column, 'x')) so the SQL is the same on every database.
        statement = select(column, func.count()).where(*_in_period(since, until)).group_by(column)
        with self.engine.connect() as connection:
            return {name: int(count) for name, count in connection.execute(statement)}


def _row_from_entry(entry: IssueEntry) -> Dict[str, Any]:
    return {
        "created_at": to_stored_time(entry.created_at or utc_now()),
        "conversation_id": entry.conversation_id,
        "kind": validate_kind(entry.kind),
        "category": entry.category or None,
        "severity": ",".join(entry.severity),
        "paraphrase": mask_personal_data(entry.paraphrase or ""),
        "raw_text": mask_personal_data(entry.raw_text or ""),
        "order_number": entry.order_number or None,
        "outcome": validate_outcome(entry.outcome),
        "rating": validate_rating(entry.rating),
        "comment": mask_personal_data(entry.comment) if entry.comment is not None else None,
    }


def _entry_from_row(row: Mapping[str, Any]) -> IssueEntry:
    return from_row(IssueEntry, row, created_at=from_stored_time, severity=parse_severity)


def _in_period(since: Optional[datetime], until: Optional[datetime]) -> List["ColumnElement[bool]"]:
    created_at = issue_log_table.c.created_at
    conditions = []
    if since is not None:
        conditions.append(created_at >= to_stored_time(since))
    if until is not None:
        conditions.append(created_at < to_stored_time(until))
    return conditions


def _latest_entry_id(conversation_id: str) -> Select:
    table = issue_log_table
    return (
        select(table.c.id)
        .where(table.c.conversation_id == conversation_id)
        .order_by(table.c.created_at.desc(), table.c.id.desc())
        .limit(1)
    )


def _most_frequent_first(counts: Mapping[Any, int]) -> List[Tuple[Any, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))


def _category_trends(current: Mapping[str, int], previous: Mapping[str, int]) -> List[CategoryTrend]:
    # Categories that vanished stay in the list with count 0: a fixed problem is news too.
    trends = [CategoryTrend(name, current.get(name, 0), previous.get(name, 0)) for name in {*current, *previous}]
    return sorted(trends, key=lambda trend: (-trend.count, -trend.previous_count, trend.category))
