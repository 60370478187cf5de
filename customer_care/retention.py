"""Data retention: delete conversations and raw customer texts older than N days, keep the masked statistics.

`purge(days)` (command line: `make purge DAYS=N`, `python -m tools.purge --days N`) works on the databases the
servers use, through SQLAlchemy Core, so an SQLite file and a PostgreSQL database are purged alike:
  - the tracker store: endpoints.yml's `tracker_store` (CARE_ENDPOINTS or `--endpoints` for another file);
  - the SQL event broker: endpoints.yml's `event_broker`, and CARE_EVENTS_URL (default var/events.db), the
    copy the review inbox reads, when that is another database;
  - the assistant's own database: CARE_DATABASE_URL (default var/care.db under CARE_VAR_DIR).
Relative SQLite paths in the endpoints file are taken from the current folder, as Rasa takes them. A database
that does not exist yet (an SQLite file never written) is left alone, not created.

What happens to each table, for data older than the cut-off (now minus N days):

  tracker store `events` (Rasa's SQL tracker store; every event of every conversation, customers' words
  included): events are deleted. A conversation whose events are all older goes entirely. A conversation
  with newer events keeps the whole session (Rasa's `action_session_start` onwards) its first newer event
  belongs to, and everything after: the bot never resumes a conversation whose beginning is gone (its slots
  are carried into each new session, so older sessions are not needed). Conversations with an open ticket
  (waiting or claimed) are left whole until the ticket is closed: the agent is reading them.
  event broker `events` (one JSON event per row, no time column): rows whose event is older are deleted.
  Rows are appended as events happen, so the scan goes from the oldest row and stops at the first event a
  day newer than the cut-off; a row whose time can't be read goes with the older row after it. When every
  row is old, the newest is emptied (`{}`, no sender) instead of deleted: SQLite would number the next event
  from 1 again, below where the inbox stopped reading, and the inbox would never see it.
  `inbox_messages` (customers' messages, masked, waiting for review): deleted (sent before the cut-off),
  with their `inbox_clarifications` (the button the customer pressed) and `inbox_marks` (agents' marks,
  which hold the same text); marks older than the cut-off that never found their message go too.
  `inbox_labels` (a reviewer's label for a group: one masked wording and its intent): kept. They are
  training examples a person chose, exported into data/nlu; their retention is the training data's.
  `inbox_cursor` (how far the inbox read the broker): kept.
  `issue_log` (one row per complaint, escalation or fallback): every row is kept with its statistics
  (time, conversation id, kind, category, severity, outcome, rating) and its paraphrase, which was masked
  when written and is what the frequent-phrases report reads. Cleared: `raw_text` (the customer's words, or
  the agent's outcome note for an escalation), `comment` (the customer's rating comment) and `order_number`.
  So counts, trends and ratings of any period come out as before.
  `tickets`: a ticket closed (resolved or handed back) before the cut-off keeps its id, conversation id,
  reason, category, priority, status, agent, times, and its outcome note with personal data masked
  (e-mail addresses, card and phone numbers, as the issue log masks); its `summary` (the customer's problem in
  their words, paraphrased) and the customer's name and e-mail address are cleared. Open tickets are untouched.
  Tickets hold no transcript: the transcript is the tracker store's events, above.
  `agents`, `console_sessions`, `console_login_failures` (staff accounts, their logins and failed logins,
  which expire or are forgotten on their own): not customer data, untouched.

Deletes and updates go in batches of BATCH_SIZE rows, one short transaction each, so a huge table is never
held in one transaction and the bot's own writes wait at most one batch. On SQLite the purge's connections set
`secure_delete`, so deleted texts are overwritten in the file rather than only unlinked (the file does not
shrink; VACUUM does that). On PostgreSQL deleted rows are reclaimed by (auto)vacuum as usual.

Daily: with CARE_RETENTION_DAYS=N set, the agent console (`python -m console serve`) calls `start_daily_purge`:
a purge at start-up, then one every 24 hours, in a worker thread (never on the event loop), logging what it did.
Unset, everything is kept, as before.
"""

import asyncio
import functools
import importlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union
from urllib.parse import urlsplit

import yaml
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    func,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from customer_care.database import from_stored_time, to_stored_time, utc_now
from customer_care.inbox import inbox_clarifications_table, inbox_marks_table, inbox_messages_table
from customer_care.issue_log import issue_log_table
from customer_care.masking import mask_personal_data
from customer_care.settings import database_url as default_database_url
from customer_care.settings import endpoints_path, events_database_url
from customer_care.tickets import CLOSING_STATUSES, OPEN_STATUSES, tickets_table

RETENTION_ENV = "CARE_RETENTION_DAYS"
BATCH_SIZE = 500
PURGE_INTERVAL = timedelta(hours=24)
# The broker's scan stops at the first event this much newer than the cut-off (see the module docstring).
BROKER_SCAN_MARGIN = timedelta(days=1)

# Rasa's names (rasa.shared.core.events.SessionStarted.type_name, ActionExecuted.type_name,
# rasa.shared.core.constants.ACTION_SESSION_START_NAME); test_retention checks them against Rasa.
SESSION_STARTED = "session_started"
ACTION_EXECUTED = "action"
ACTION_SESSION_START = "action_session_start"

# The columns the purge uses of the two `events` tables, as Rasa's SQLTrackerStore.SQLEvent and
# SQLEventBroker.SQLBrokerEvent declare them (test_retention checks them against Rasa's). Declared here so
# that the console, which runs the daily purge, does not import Rasa's tracker store.
tracker_events_table = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("action_name", String(255)),
)
broker_events_table = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)

# What the issue log forgets of an old row (see the module docstring).
ISSUE_LOG_CLEARED: Dict[str, Any] = {"raw_text": "", "comment": None, "order_number": None}
# What a ticket closed before the cut-off forgets; its outcome note is masked besides.
TICKET_CLEARED: Dict[str, Any] = {"summary": "", "customer_name": None, "customer_email": None}

_SQL_TRACKER_STORES = ("sql", "addons.tracker_store.SQLTrackerStore", "rasa.core.tracker_store.SQLTrackerStore")
_SQL_BROKERS = ("sql", "rasa.core.brokers.sql.SQLEventBroker")
_UNSET_VARIABLE = re.compile(r"\$\{([^}]*)\}")

logger = logging.getLogger(__name__)


class RetentionError(ValueError):
    """A bad number of days, or settings the purge cannot read (the message says which)."""


def check_days(days: Any) -> int:
    """`days` as a whole number of at least 1; a RetentionError says why not."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise RetentionError(
            f"the retention must be a whole number of days, at least 1, not {days!r}: it is how many days of "
            f"conversations to keep (0 would delete conversations going on right now)"
        )
    return days


def retention_days(environ: Optional[Mapping[str, str]] = None) -> Optional[int]:
    """CARE_RETENTION_DAYS as a number of days, or None when it is unset or empty (keep everything)."""
    text = (os.environ if environ is None else environ).get(RETENTION_ENV, "").strip()
    if not text:
        return None
    try:
        days = int(text)
    except ValueError:
        days = None
    try:
        return check_days(days)
    except RetentionError:
        raise RetentionError(f"{RETENTION_ENV} must be a whole number of days, at least 1 (or unset to keep "
                             f"everything), not {text!r}") from None


# --- Where the data is ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Locations:
    """The databases to purge. A URL is None where there is nothing SQL to purge; the note says why."""

    tracker_url: Optional[str]
    broker_urls: Tuple[str, ...]
    database_url: str
    notes: Tuple[str, ...] = ()


def locations(
    endpoints: Union[str, Path, None] = None,
    database_url: Optional[str] = None,
    events_url: Optional[str] = None,
    base_dir: Optional[Path] = None,
) -> Locations:
    """The tracker store and event broker of `endpoints` (default: CARE_ENDPOINTS or endpoints.yml), the
    broker database the inbox reads (`events_url`, default CARE_EVENTS_URL or var/events.db) and the
    assistant's database (`database_url`, default CARE_DATABASE_URL or var/care.db). Relative SQLite paths in
    the endpoints file are taken from `base_dir` (default: the current folder, as Rasa does)."""
    path = Path(endpoints) if endpoints else endpoints_path()
    base = base_dir or Path.cwd()
    config = _read_endpoints(path)
    notes: List[str] = []

    tracker = config.get("tracker_store")
    tracker_url = None
    if _is_sql(tracker, _SQL_TRACKER_STORES, "rasa.core.tracker_store", "SQLTrackerStore"):
        tracker_url = _rasa_sql_url(tracker, "rasa.db", base)
    elif _describe(tracker) in ("", "memory"):
        notes.append(f"tracker store: in memory ({path}), nothing kept to purge")
    else:
        notes.append(f"tracker store: {_describe(tracker)} in {path}, not SQL; its retention is that store's own")

    brokers: List[str] = []
    broker = config.get("event_broker")
    if _is_sql(broker, _SQL_BROKERS, "rasa.core.brokers.sql", "SQLEventBroker"):
        brokers.append(_rasa_sql_url(broker, "events.db", base))
    elif broker:
        notes.append(f"event broker: {_describe(broker)} in {path}, not SQL; its retention is the broker's own")
    inbox_source = _absolute_sqlite(events_url or events_database_url(), base)
    if not _same_database(inbox_source, brokers):
        brokers.append(inbox_source)
    if tracker_url is not None and any(_same_database(url, [tracker_url]) for url in brokers):
        notes.append("event broker: its database is the tracker store's; purged as the tracker store only")
        brokers = [url for url in brokers if not _same_database(url, [tracker_url])]
    return Locations(
        tracker_url=tracker_url,
        broker_urls=tuple(brokers),
        database_url=_absolute_sqlite(database_url or default_database_url(), base),
        notes=tuple(notes),
    )


def _read_endpoints(path: Path) -> Dict[str, Any]:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise RetentionError(f"no endpoints file at {path} (set CARE_ENDPOINTS or pass --endpoints)") from None
    except (OSError, yaml.YAMLError) as error:
        raise RetentionError(f"cannot read the endpoints file {path}: {error}") from None
    if not isinstance(content, dict):
        raise RetentionError(f"the endpoints file {path} is not a mapping of endpoints")
    # Only the two sections the purge reads get their ${VARIABLES} filled in, as Rasa fills them in: the run's
    # file (var/endpoints.run.yml) names variables only the Rasa server has, elsewhere.
    return {name: _expand(content.get(name), path) for name in ("tracker_store", "event_broker")}


def _expand(value: Any, path: Path) -> Any:
    if isinstance(value, dict):
        return {key: _expand(item, path) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, path) for item in value]
    if isinstance(value, str) and "${" in value:  # as Rasa: only values naming a ${VARIABLE} are expanded
        expanded = os.path.expandvars(value)
        unset = _UNSET_VARIABLE.search(expanded)
        if unset:
            raise RetentionError(f"{path} uses ${{{unset.group(1)}}}, which is not set")
        return expanded
    return value


def _is_sql(section: Any, known: Sequence[str], module: str, class_name: str) -> bool:
    if not isinstance(section, dict) or not section.get("type"):
        return False
    kind = str(section["type"])
    if kind.lower() == "sql" or kind in known:
        return True
    if "." not in kind:
        return False  # redis, mongod, dynamo, pika, kafka, memory
    try:  # a custom class: SQL when it is Rasa's SQL store or broker underneath
        owner, _, name = kind.rpartition(".")
        candidate = getattr(importlib.import_module(owner), name)
        base = getattr(importlib.import_module(module), class_name)
        return isinstance(candidate, type) and issubclass(candidate, base)
    except Exception:  # noqa: BLE001 - a class that can't be loaded is no SQL store we know how to purge
        return False


def _describe(section: Any) -> str:
    if isinstance(section, dict) and section.get("type"):
        return str(section["type"])
    return ""


def _rasa_sql_url(section: Mapping[str, Any], default_db: str, base: Path) -> str:
    """The URL Rasa's SQLTrackerStore.get_db_url (also the SQL broker's) makes of an endpoints section."""
    host = section.get("url")
    if host and "://" in str(host):
        return _absolute_sqlite(str(host), base)  # a whole URL in `url`
    port = section.get("port")
    if host:
        parsed = urlsplit(f"scheme://{host}")
        port = parsed.port or port
        host = parsed.hostname or host
    url = URL.create(
        str(section.get("dialect") or "sqlite"),
        username=section.get("username"),
        password=section.get("password"),
        host=host or None,
        port=int(port) if port not in (None, "") else None,
        database=str(section.get("db") or default_db),
        query=section.get("query") or {},
    )
    return _absolute_sqlite(url.render_as_string(hide_password=False), base)


def _absolute_sqlite(url: str, base: Path) -> str:
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return url
    if Path(database).is_absolute():
        return url
    return parsed.set(database=str((base / database).resolve())).render_as_string(hide_password=False)


def _same_database(url: str, others: Sequence[str]) -> bool:
    parsed = make_url(url)
    return any(make_url(other) == parsed for other in others)


def safe_url(url: Optional[str]) -> str:
    """`url` without its password, to print."""
    if not url:
        return "-"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: say nothing that may hold a password
        return "(unreadable URL)"


# --- The purge ------------------------------------------------------------------------------------------------


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


@dataclass
class PurgeReport:
    days: int
    cutoff: datetime  # aware UTC; what is older than this went
    dry_run: bool = False
    tables: List[TableOutcome] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    failures: List[str] = field(default_factory=list)

    def count(self, store: str, table: str) -> int:
        return sum(outcome.rows for outcome in self.tables if outcome.store == store and outcome.table == table)

    def lines(self) -> List[str]:
        verb = "Would delete" if self.dry_run else "Deleted"
        lines = [f"{verb} what is older than {self.days} day{'s' if self.days != 1 else ''} "
                 f"(before {self.cutoff:%Y-%m-%d %H:%M} UTC){'; dry run, nothing changed' if self.dry_run else ''}:"]
        lines += [f"  {outcome.line()}" for outcome in self.tables]
        lines += [f"  {note}" for note in self.notes]
        lines += [f"  FAILED: {failure}" for failure in self.failures]
        return lines


def purge(
    days: int,
    *,
    now: Optional[datetime] = None,
    endpoints: Union[str, Path, None] = None,
    database_url: Optional[str] = None,
    events_url: Optional[str] = None,
    batch_size: int = BATCH_SIZE,
    dry_run: bool = False,
    base_dir: Optional[Path] = None,
) -> PurgeReport:
    """Delete what is older than `days` days (see the module docstring), or only count it with `dry_run`.
    A database that fails is reported in `failures` and the others are still purged."""
    check_days(days)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise RetentionError(f"batch_size must be at least 1, not {batch_size!r}")
    where = locations(endpoints, database_url, events_url, base_dir)
    cutoff = from_stored_time(to_stored_time(now or utc_now())) - timedelta(days=days)  # aware UTC; naive is UTC
    report = PurgeReport(days=days, cutoff=cutoff, dry_run=dry_run, notes=list(where.notes))
    job = _Job(cutoff, batch_size, dry_run)

    care = _attempt(report, "assistant database", where.database_url, lambda: _open(where.database_url))
    try:
        protected: Optional[Set[str]] = set()
        if care is not None:
            protected = _attempt(report, "assistant database", where.database_url, lambda: job.open_tickets(care))
        if where.tracker_url is not None and protected is None:
            report.notes.append("tracker store: left alone, as the open tickets could not be read")
        elif where.tracker_url is not None:
            tracker_url = where.tracker_url
            tracker = _attempt(report, "tracker store", tracker_url, lambda: _open(tracker_url, postgres_schema=True))
            if tracker is not None:
                try:
                    _attempt(report, "tracker store", tracker_url,
                             lambda: report.tables.extend(job.tracker(tracker, protected or set())))
                finally:
                    tracker.dispose()
        for broker_url in where.broker_urls:
            broker = _attempt(report, "event broker", broker_url, lambda: _open(broker_url))
            if broker is not None:
                try:
                    _attempt(report, "event broker", broker_url, lambda: report.tables.extend(job.broker(broker)))
                finally:
                    broker.dispose()
        if care is not None:
            _attempt(report, "assistant database", where.database_url,
                     lambda: report.tables.extend(job.care(care)))
    finally:
        if care is not None:
            care.dispose()
    return report


def start_daily_purge(
    days: int,
    *,
    endpoints: Union[str, Path, None] = None,
    database_url: Optional[str] = None,
    events_url: Optional[str] = None,
    log: Optional[logging.Logger] = None,
    interval: timedelta = PURGE_INTERVAL,
) -> None:
    """From a running event loop: purge now, and again `interval` after each purge ends, each time in the loop's
    default executor (never on the loop itself), logging what went. A purge that fails is logged and tried again
    at the next interval. The next purge waits as a timer, not a task, so it ends with the loop: nothing to
    cancel at shutdown."""
    check_days(days)
    log = log or logger
    loop = asyncio.get_running_loop()
    run = functools.partial(purge, days, endpoints=endpoints, database_url=database_url, events_url=events_url)

    def start() -> None:
        loop.run_in_executor(None, run).add_done_callback(finished)

    def finished(done: "asyncio.Future[PurgeReport]") -> None:
        if done.cancelled():
            return
        error = done.exception()
        if error is not None:  # settings unreadable today may be mended by tomorrow
            log.error("Retention: the purge of data older than %d days failed; next try in %s", days, interval,
                      exc_info=error)
        else:
            for line in done.result().lines():
                (log.error if line.lstrip().startswith("FAILED") else log.info)("Retention: %s", line.strip())
        loop.call_later(interval.total_seconds(), start)

    start()


def _attempt(report: PurgeReport, store: str, url: str, action: Callable[[], Any]) -> Any:
    """`action()`, or None with the database error in `report.failures`."""
    try:
        return action()
    except SQLAlchemyError as error:
        reason = error.args[0] if error.args else ""
        report.failures.append(f"{store} at {safe_url(url)}: {type(error).__name__}: {reason}")
        return None


def _open(url: str, postgres_schema: bool = False) -> Optional[Engine]:
    """An engine on `url`, or None when it is an SQLite file that does not exist (never created here)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        options: Dict[str, Any] = {}
        schema = os.environ.get("POSTGRESQL_SCHEMA")  # Rasa's tracker store honours it; so does the purge
        if postgres_schema and schema and parsed.get_backend_name() == "postgresql":
            options["connect_args"] = {"options": f"-csearch_path={schema}"}
        return create_engine(url, future=True, pool_pre_ping=True, **options)
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return None  # a private in-memory database is always empty
    if not database.startswith("file:") and not Path(database).is_file():
        return None
    engine = create_engine(url, future=True, connect_args={"timeout": 15})
    event.listen(engine, "connect", _overwrite_deleted_content)
    return engine


def _overwrite_deleted_content(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def _has_table(engine: Engine, name: str) -> bool:
    with engine.connect() as connection:
        return inspect(connection).has_table(name)


class _Job:
    """One purge: the cut-off in both forms the tables store times in, the batch size, dry run or not."""

    def __init__(self, cutoff: datetime, batch_size: int, dry_run: bool) -> None:
        self.cutoff_stamp = cutoff.timestamp()  # Rasa's events: Unix seconds
        self.cutoff_stored = to_stored_time(cutoff)  # the assistant's tables: naive UTC
        self.batch = batch_size
        self.dry_run = dry_run

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
        session_start = or_(table.c.type_name == SESSION_STARTED,
                            and_(table.c.type_name == ACTION_EXECUTED, table.c.action_name == ACTION_SESSION_START))
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
                    .order_by(table.c.id.desc()).limit(1)
                ).first()
                if start is None:
                    keep[sender] = first_recent
                    continue
                keep[sender] = start.id
                if start.type_name == SESSION_STARTED:  # Rasa logs action_session_start just before it
                    before = connection.execute(
                        select(table.c.id, table.c.type_name, table.c.action_name)
                        .where(table.c.sender_id == sender, table.c.id < start.id)
                        .order_by(table.c.id.desc()).limit(1)
                    ).first()
                    if (before is not None and before.type_name == ACTION_EXECUTED
                            and before.action_name == ACTION_SESSION_START):
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
                counts["messages"] = _count(connection, messages, old_messages)
                if has_choices:
                    counts["clarifications"] = _count(connection, choices, choices.c.message_id.in_(old_ids))
                if has_marks:
                    counts["marks"] = _count(connection, marks, or_(marks.c.message_id.in_(old_ids),
                                                                    marks.c.sent_at < self.cutoff_stored))
        else:
            while True:
                with engine.begin() as connection:
                    ids = list(connection.execute(
                        select(messages.c.id).where(old_messages).order_by(messages.c.id).limit(self.batch)
                    ).scalars())
                    if not ids:
                        break
                    if has_choices:
                        counts["clarifications"] += connection.execute(
                            delete(choices).where(choices.c.message_id.in_(ids))).rowcount
                    if has_marks:
                        counts["marks"] += connection.execute(delete(marks).where(marks.c.message_id.in_(ids))).rowcount
                    counts["messages"] += connection.execute(delete(messages).where(messages.c.id.in_(ids))).rowcount
                if len(ids) < self.batch:
                    break
            if has_marks:  # marks that never found their message
                counts["marks"] += self._delete(engine, marks, marks.c.sent_at < self.cutoff_stored)
        outcomes = [TableOutcome("assistant database", messages.name, counts["messages"], "message", "deleted")]
        if has_marks:
            outcomes.append(TableOutcome("assistant database", marks.name, counts["marks"], "mark", "deleted"))
        if has_choices:
            outcomes.append(TableOutcome("assistant database", choices.name, counts["clarifications"],
                                         "customer choice", "deleted"))
        return outcomes

    def _issue_log(self, engine: Engine) -> TableOutcome:
        table = issue_log_table
        condition = and_(table.c.created_at < self.cutoff_stored,
                         or_(table.c.raw_text != "", table.c.comment.isnot(None), table.c.order_number.isnot(None)))
        cleared = 0
        if self.dry_run:
            with engine.connect() as connection:
                cleared = _count(connection, table, condition)
        else:
            while True:
                with engine.begin() as connection:
                    ids = list(connection.execute(
                        select(table.c.id).where(condition).order_by(table.c.id).limit(self.batch)).scalars())
                    if not ids:
                        break
                    cleared += connection.execute(
                        update(table).where(table.c.id.in_(ids)).values(**ISSUE_LOG_CLEARED)).rowcount
                if len(ids) < self.batch:
                    break
        return TableOutcome("assistant database", table.name, cleared, "row",
                            "cleared of raw text, comment and order number",
                            "rows, counts, ratings and masked paraphrases kept")

    def _tickets(self, engine: Engine) -> TableOutcome:
        table = tickets_table
        closed_long_ago = and_(
            table.c.status.in_(CLOSING_STATUSES),
            or_(table.c.closed_at < self.cutoff_stored,
                and_(table.c.closed_at.is_(None), table.c.updated_at < self.cutoff_stored)),
        )
        columns = [table.c.id, table.c.outcome, *(table.c[name] for name in TICKET_CLEARED)]
        changed = 0
        after = 0
        while True:
            with engine.begin() as connection:
                rows = connection.execute(
                    select(*columns).where(closed_long_ago, table.c.id > after).order_by(table.c.id).limit(self.batch)
                ).mappings().all()
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
        return TableOutcome("assistant database", table.name, changed, "closed ticket",
                            "cleared of summary, customer name and e-mail",
                            "id, category, status, times and masked outcome kept")

    # --- Batches ------------------------------------------------------------------------------------------

    def _delete(self, engine: Engine, table: Table, condition: "ColumnElement[bool]") -> int:
        """Delete the rows of `table` matching `condition`, `batch` rows per transaction (or count them)."""
        if self.dry_run:
            with engine.connect() as connection:
                return _count(connection, table, condition)
        deleted = 0
        while True:
            with engine.begin() as connection:
                ids = list(connection.execute(
                    select(table.c.id).where(condition).order_by(table.c.id).limit(self.batch)).scalars())
                if ids:
                    deleted += connection.execute(delete(table).where(table.c.id.in_(ids))).rowcount
            if len(ids) < self.batch:
                return deleted

    def _delete_ids(self, engine: Engine, table: Table, ids: Sequence[int]) -> int:
        if not ids or self.dry_run:
            return len(ids)
        deleted = 0
        for start in range(0, len(ids), self.batch):
            with engine.begin() as connection:
                chunk = list(ids[start : start + self.batch])
                deleted += connection.execute(delete(table).where(table.c.id.in_(chunk))).rowcount
        return deleted


def _plural(count: int, unit: str) -> str:
    return f"{count:,} {unit}{'' if count == 1 else 's'}"


def _count(connection: Any, table: Table, condition: "ColumnElement[bool]") -> int:
    return int(connection.execute(select(func.count()).select_from(table).where(condition)).scalar() or 0)


def _event_timestamp(data: Any) -> Optional[float]:
    try:
        content = json.loads(data)
    except (TypeError, ValueError):
        return None
    stamp = content.get("timestamp") if isinstance(content, dict) else None
    if isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
        return None
    return float(stamp)
