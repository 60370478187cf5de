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

Finding the databases is customer_care.retention_locations' job; the work on each table is
customer_care.retention_tables'.
"""

import asyncio
import functools
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Union

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from customer_care.database import from_stored_time, to_stored_time, utc_now
from customer_care.retention_locations import RetentionError, locations, safe_url
from customer_care.retention_tables import PurgeJob, TableOutcome

RETENTION_ENV = "CARE_RETENTION_DAYS"
BATCH_SIZE = 500
PURGE_INTERVAL = timedelta(hours=24)

logger = logging.getLogger(__name__)


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
        raise RetentionError(
            f"{RETENTION_ENV} must be a whole number of days, at least 1 (or unset to keep everything), not {text!r}"
        ) from None


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
        lines = [
            f"{verb} what is older than {self.days} day{'s' if self.days != 1 else ''} "
            f"(before {self.cutoff:%Y-%m-%d %H:%M} UTC){'; dry run, nothing changed' if self.dry_run else ''}:"
        ]
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
    job = PurgeJob(cutoff, batch_size, dry_run)

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
                    _attempt(
                        report,
                        "tracker store",
                        tracker_url,
                        lambda: report.tables.extend(job.tracker(tracker, protected or set())),
                    )
                finally:
                    tracker.dispose()
        # _attempt calls its action at once, so the lambdas below see this iteration's broker_url and broker.
        for broker_url in where.broker_urls:
            broker = _attempt(report, "event broker", broker_url, lambda: _open(broker_url))  # noqa: B023
            if broker is not None:
                try:
                    _attempt(report, "event broker", broker_url, lambda: report.tables.extend(job.broker(broker)))  # noqa: B023
                finally:
                    broker.dispose()
        if care is not None:
            _attempt(report, "assistant database", where.database_url, lambda: report.tables.extend(job.care(care)))
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
            log.error(
                "Retention: the purge of data older than %d days failed; next try in %s", days, interval, exc_info=error
            )
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
