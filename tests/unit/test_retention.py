"""customer_care.retention and tools.purge: what is older than N days goes, recent data and statistics stay.

The databases are real SQLite files, filled the way the running assistant fills them: the tracker store and the
broker through addons.tracker_store.LeanSQLTrackerStore (Rasa's tables) with Rasa's SQLEventBroker, the inbox by
syncing that broker, the issue log and tickets through their own classes.
"""

import asyncio
import logging
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.tracker_store import LeanSQLTrackerStore
from customer_care import retention, retention_tables
from customer_care.inbox import Inbox
from customer_care.issue_log import IssueEntry, IssueLog
from customer_care.retention import PurgeReport, RetentionError, purge, retention_days, start_daily_purge
from customer_care.retention_locations import locations, safe_url
from customer_care.retention_tables import broker_events_table, tracker_events_table
from customer_care.settings import PROJECT_ROOT
from customer_care.tickets import NewTicket, TicketStore
from tools import purge as purge_cli

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
NOW = datetime.now(timezone.utc).replace(microsecond=0)
DAYS = 30
CUTOFF = NOW - timedelta(days=DAYS)
CARD = "4111 1111 1111 1111"


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


# --- Conversations, as the Rasa server stores them ----------------------------------------------------------


def session(start: datetime, *turns: Tuple[str, str], slots: Optional[Dict[str, Any]] = None) -> List[Event]:
    """One conversation session as Rasa logs it: action_session_start, session_started, the carried-over slots,
    then a user turn and the bot's answer every minute."""
    stamp = start.timestamp()
    events: List[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=stamp + 0.01),
        SessionStarted(timestamp=stamp),
        *(SlotSet(name, value, timestamp=stamp + 0.01) for name, value in (slots or {}).items()),
        ActionExecuted("action_listen", timestamp=stamp + 0.02),
    ]
    for minute, (text, intent) in enumerate(turns, start=1):
        said = stamp + 60 * minute
        parse_data = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.93},
            "entities": [],
            "intent_ranking": [{"name": intent, "confidence": 0.93}],
        }
        events += [
            UserUttered(
                text, intent=parse_data["intent"], parse_data=parse_data, timestamp=said, input_channel="socketio"
            ),
            ActionExecuted("utter_greet", timestamp=said + 0.2),
            BotUttered("Thanks, I'm on it.", timestamp=said + 0.2),
            ActionExecuted("action_listen", timestamp=said + 0.3),
        ]
    return events


@dataclass
class World:
    """The databases of a running assistant, in a temporary folder, and the endpoints file pointing at them."""

    root: Path
    endpoints: Path
    tracker_db: Path
    events_db: Path
    care_url: str
    store: LeanSQLTrackerStore

    def converse(self, sender: str, *sessions: List[Event]) -> None:
        """Save each session in turn, as the Rasa server saves a conversation as it goes."""
        events: List[Event] = []
        for events_of_session in sessions:
            events += events_of_session
            asyncio.run(self.store.save(DialogueStateTracker.from_events(sender, list(events), DOMAIN.slots)))

    def purge(self, days: int = DAYS, **options: Any) -> PurgeReport:
        options.setdefault("now", NOW)
        return purge(
            days,
            endpoints=self.endpoints,
            database_url=self.care_url,
            events_url=f"sqlite:///{self.events_db}",
            **options,
        )

    def tracker_rows(self, sender: Optional[str] = None) -> List[Tuple[Any, ...]]:
        query = "SELECT id, sender_id, type_name, timestamp, action_name, data FROM events"
        return _rows(self.tracker_db, query, sender)

    def broker_rows(self, sender: Optional[str] = None) -> List[Tuple[Any, ...]]:
        return _rows(self.events_db, "SELECT id, sender_id, data FROM events", sender)

    def retrieve(self, sender: str) -> Optional[DialogueStateTracker]:
        """The conversation as Rasa's own SQL tracker store reads it back (latest session)."""
        store = RasaSQLTrackerStore(domain=DOMAIN, db=str(self.tracker_db))
        try:
            return asyncio.run(store.retrieve(sender))
        finally:
            store.engine.dispose()

    def inbox(self) -> Inbox:
        return Inbox(events_url=f"sqlite:///{self.events_db}", database_url=self.care_url)


def _rows(path: Path, query: str, sender: Optional[str]) -> List[Tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        if sender is None:
            return connection.execute(query + " ORDER BY id").fetchall()
        return connection.execute(query + " WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()


def write_endpoints(path: Path, tracker_db: Path, events_db: Path) -> Path:
    path.write_text(
        'action_endpoint:\n  url: "http://localhost:5055/webhook"\n'
        f'tracker_store:\n  type: addons.tracker_store.LeanSQLTrackerStore\n  dialect: "sqlite"\n  db: "{tracker_db}"\n'
        f'event_broker:\n  type: SQL\n  dialect: "sqlite"\n  db: "{events_db}"\n'
        'nlu:\n  url: "http://127.0.0.1:5007"\n  token: ${LARKSPUR_NLU_TOKEN_NOT_SET_HERE}\n'
    )
    return path


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    tracker_db, events_db = tmp_path / "var" / "tracker.db", tmp_path / "var" / "events.db"
    tracker_db.parent.mkdir()
    store = LeanSQLTrackerStore(domain=DOMAIN, db=str(tracker_db), event_broker=SQLEventBroker(db=str(events_db)))
    yield World(
        tmp_path,
        write_endpoints(tmp_path / "endpoints.yml", tracker_db, events_db),
        tracker_db,
        events_db,
        f"sqlite:///{tmp_path / 'var' / 'care.db'}",
        store,
    )
    store.engine.dispose()
    store.event_broker.engine.dispose()


def fingerprint(*paths: Path) -> List[List[Tuple[Any, ...]]]:
    """Every row of every table of these SQLite files."""
    dumps = []
    for path in paths:
        with sqlite3.connect(path) as connection:
            tables = [
                name
                for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            ]
            dumps.append(
                [(table, *row) for table in tables for row in connection.execute(f"SELECT * FROM {table} ORDER BY 1")]
            )  # noqa: S608
    return dumps


# --- The tracker store and the broker ----------------------------------------------------------------------


def test_purge_deletes_conversations_older_than_the_retention_days(world: World) -> None:
    world.converse(
        "old-ana",
        session(
            days_ago(45), ("my kettle arrived broken", "complaint"), (f"the card {CARD} was charged twice", "complaint")
        ),
    )
    world.converse("recent-bo", session(days_ago(2), ("where is my order 109112", "track_order")))
    recent_tracker, recent_broker = world.tracker_rows("recent-bo"), world.broker_rows("recent-bo")
    old_rows = len(world.tracker_rows("old-ana"))
    assert old_rows == 11 and len(world.broker_rows("old-ana")) == old_rows
    assert any(CARD in row[-1] for row in world.broker_rows("old-ana"))
    recent_events = world.retrieve("recent-bo").events

    report = world.purge()

    assert world.tracker_rows("old-ana") == []
    assert world.broker_rows("old-ana") == []
    assert world.retrieve("old-ana") is None
    assert world.tracker_rows("recent-bo") == recent_tracker
    assert world.broker_rows("recent-bo") == recent_broker
    assert list(world.retrieve("recent-bo").events) == list(recent_events)
    assert not any(CARD in row[-1] for row in world.tracker_rows() + world.broker_rows())
    assert report.count("tracker store", "events") == old_rows
    assert report.count("event broker", "events") == old_rows
    assert report.failures == []


def test_a_session_going_on_at_the_cut_off_is_kept_whole_and_older_sessions_go(world: World) -> None:
    world.converse(
        "returning-cy",
        session(days_ago(60), ("hi, I'm Cy", "greet"), slots={}),
        session(days_ago(40), ("cancel order 104233", "cancel_order"), slots={"customer_name": "Cy"}),
        # Started ten minutes before the cut-off; its first customer message comes after it.
        session(
            CUTOFF - timedelta(minutes=10), *[("is it shipped yet", "track_order")] * 12, slots={"customer_name": "Cy"}
        ),
    )
    world.converse(
        "back-today-di",
        session(days_ago(50), ("call me Di", "greet")),
        session(days_ago(1), ("where is my refund", "track_refund"), slots={"customer_name": "Di"}),
    )
    rows = world.tracker_rows("returning-cy")
    spanning_start = [row for row in rows if row[4] == ACTION_SESSION_START_NAME][-1]
    before = {sender: world.retrieve(sender) for sender in ("returning-cy", "back-today-di")}

    report = world.purge()

    kept = world.tracker_rows("returning-cy")
    assert kept == [row for row in rows if row[0] >= spanning_start[0]]
    assert kept[0][4] == ACTION_SESSION_START_NAME and kept[1][2] == "session_started"
    assert min(row[3] for row in kept) < CUTOFF.timestamp()  # the session's start is older, and stays
    di = world.tracker_rows("back-today-di")
    assert di[0][4] == ACTION_SESSION_START_NAME and all(row[3] >= days_ago(1).timestamp() for row in di)
    for sender, tracker in before.items():
        after = world.retrieve(sender)
        assert list(after.events) == list(tracker.events)
        assert after.get_slot("customer_name") == tracker.get_slot("customer_name")
    assert world.retrieve("back-today-di").get_slot("customer_name") == "Di"
    assert "2 cut to their current session" in report.tables[0].details


def test_conversations_with_an_open_ticket_keep_their_events(world: World) -> None:
    world.converse("waiting-ed", session(days_ago(40), ("I want a person", "contact_human_agent")))
    world.converse("closed-fy", session(days_ago(40), ("I want a person", "contact_human_agent")))
    tickets = TicketStore(world.care_url)
    waiting = tickets.open_ticket(NewTicket("waiting-ed", "customer_asked", "normal"), now=days_ago(40))
    closed = tickets.open_ticket(NewTicket("closed-fy", "customer_asked", "normal"), now=days_ago(40))
    tickets.close_ticket(closed.id, "sam", "resolved", "sorted", now=days_ago(39))
    tickets.close_connections()
    waiting_rows = world.tracker_rows("waiting-ed")

    report = world.purge()

    assert world.tracker_rows("waiting-ed") == waiting_rows
    assert world.tracker_rows("closed-fy") == []
    assert world.broker_rows("waiting-ed") == []  # the broker is the inbox's stream, not the agent's transcript
    assert "1 with an open ticket kept whole" in report.tables[0].details
    assert TicketStore(world.care_url).get(waiting.id).status == "waiting"


def test_broker_rows_are_judged_by_their_event_time_and_unreadable_ones_by_the_next_row(world: World) -> None:
    first = session(days_ago(31), ("hello", "greet"))
    world.converse("old-gus", first)
    broker = SQLEventBroker(db=str(world.events_db))
    broker.publish({"sender_id": "x", "event": "user", "text": "no time"})  # between old rows: goes with them
    world.converse("old-gus", first, session(days_ago(31) + timedelta(hours=1), ("still there?", "greet")))
    assert len(world.broker_rows("old-gus")) == 14
    world.converse("new-hal", session(days_ago(29), ("hello", "greet")))
    with broker.session_scope() as database:  # after a newer row: kept
        database.add(broker.SQLBrokerEvent(sender_id="y", data="{not json"))
        database.commit()
    broker.engine.dispose()

    world.purge()

    assert {row[1] for row in world.broker_rows()} == {"new-hal", "y"}


def test_the_inbox_still_reads_new_events_after_every_broker_row_was_old(world: World) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    inbox = world.inbox()
    assert inbox.sync() == 1
    newest = world.broker_rows()[-1][0]

    report = world.purge()

    assert world.broker_rows() == [(newest, None, "{}")]  # no customer data, but the numbering goes on
    assert report.count("event broker", "events") == 7
    world.converse("new-bo", session(days_ago(0), ("is my order 109112 shipped", "track_order")))
    assert world.broker_rows("new-bo")[0][0] == newest + 1
    assert inbox.sync() == 1
    assert [group.text for group in inbox.groups(flagged_only=False)] == ["is my order 109112 shipped"]
    inbox.close()


def test_purging_twice_deletes_nothing_more(world: World) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    world.converse("recent-bo", session(days_ago(2), ("hi", "greet")))
    seed_care_database(world)
    world.purge()
    after_first = fingerprint(world.tracker_db, world.events_db, world.root / "var" / "care.db")

    second = world.purge()

    assert all(outcome.rows == 0 for outcome in second.tables), second.lines()
    assert fingerprint(world.tracker_db, world.events_db, world.root / "var" / "care.db") == after_first


def test_small_batches_delete_the_same_rows_as_one_big_batch(world: World, tmp_path: Path) -> None:
    for number in range(7):
        world.converse(f"old-{number}", session(days_ago(40 + number), *[("hello", "greet")] * 3))
    world.converse("recent", session(days_ago(3), ("hello", "greet")))
    seed_care_database(world)
    world.store.engine.dispose()  # writes the write-ahead log into the file, which is copied below
    world.store.event_broker.engine.dispose()
    copies = {}
    for batch in (2, 500):
        copy = tmp_path / f"copy-{batch}"
        copy.mkdir()
        for name in ("tracker.db", "events.db", "care.db"):
            (copy / name).write_bytes((world.root / "var" / name).read_bytes())
        report = purge(
            DAYS,
            now=NOW,
            endpoints=write_endpoints(copy / "endpoints.yml", copy / "tracker.db", copy / "events.db"),
            database_url=f"sqlite:///{copy / 'care.db'}",
            events_url=f"sqlite:///{copy / 'events.db'}",
            batch_size=batch,
        )
        copies[batch] = (report.lines(), fingerprint(copy / "tracker.db", copy / "events.db", copy / "care.db"))
    assert copies[2] == copies[500]
    assert "tracker store: events: 105 events deleted (7 conversations removed" in "\n".join(copies[2][0])


def test_a_dry_run_counts_what_would_go_and_changes_nothing(world: World) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    world.converse("recent-bo", session(days_ago(2), ("hi", "greet")))
    seed_care_database(world)
    paths = (world.tracker_db, world.events_db, world.root / "var" / "care.db")
    before = fingerprint(*paths)

    dry = world.purge(dry_run=True)

    assert fingerprint(*paths) == before
    real = world.purge()
    assert [(o.table, o.rows) for o in dry.tables] == [(o.table, o.rows) for o in real.tables]
    assert any(outcome.rows for outcome in real.tables)
    assert dry.lines()[0].startswith("Would delete what is older than 30 days")


# --- The assistant's database --------------------------------------------------------------------------------


def seed_care_database(world: World) -> Dict[str, Any]:
    """Issue log rows, tickets and inbox messages, old and recent, as the assistant writes them."""
    log = IssueLog(world.care_url)
    ids = {
        "old_complaint": log.record(
            IssueEntry(
                conversation_id="old-ana",
                kind="complaint",
                category="damaged_item",
                severity=("anger",),
                raw_text=f"my kettle arrived broken!! card {CARD}, mail me at ana@example.com",
                paraphrase="your kettle arrived broken",
                order_number="104233",
                outcome="solution_accepted",
                rating=2,
                comment="call me on +44 7700 900123",
                created_at=days_ago(45),
            )
        ),
        "old_fallback": log.record(
            IssueEntry(
                conversation_id="old-ana",
                kind="fallback",
                raw_text="asdf qwer",
                outcome="not_understood",
                created_at=days_ago(44),
            )
        ),
        "old_late": log.record(
            IssueEntry(
                conversation_id="old-cy",
                kind="complaint",
                category="late_delivery",
                raw_text="my parcel is late",
                paraphrase="your parcel is late",
                outcome="escalated",
                rating=4,
                created_at=days_ago(35),
            )
        ),
        "recent": log.record(
            IssueEntry(
                conversation_id="recent-bo",
                kind="complaint",
                category="late_delivery",
                raw_text="parcel late again, ring 07700 900123",
                paraphrase="your parcel is late again",
                order_number="109112",
                outcome="solution_accepted",
                rating=5,
                comment="quick",
                created_at=days_ago(2),
            )
        ),
    }
    log.close_connections()
    tickets = TicketStore(world.care_url)
    old = tickets.open_ticket(
        NewTicket(
            "old-ana",
            "solution_declined",
            "high",
            summary="your kettle arrived broken",
            category="damaged_item",
            customer_name="Ana Lima",
            customer_email="ana@example.com",
        ),
        now=days_ago(45),
    )
    tickets.claim(old.id, "sam", now=days_ago(45))
    tickets.close_ticket(old.id, "sam", "resolved", "Replacement sent; confirmed to ana@example.com", now=days_ago(44))
    lingering = tickets.open_ticket(
        NewTicket("old-cy", "customer_asked", "normal", summary="where is my parcel", customer_name="Cy"),
        now=days_ago(40),
    )
    closed_lately = tickets.open_ticket(
        NewTicket("old-di", "team_needed", "normal", summary="wrong size", customer_email="di@example.com"),
        now=days_ago(40),
    )
    tickets.close_ticket(closed_lately.id, "sam", "handed_back", now=days_ago(5))
    tickets.close_connections()
    return {**ids, "old_ticket": old.id, "open_ticket": lingering.id, "closed_lately": closed_lately.id}


def test_issue_log_rows_stay_with_their_statistics_and_lose_their_raw_texts(world: World) -> None:
    ids = seed_care_database(world)
    log = IssueLog(world.care_url)
    before = {entry.id: entry for entry in log.entries()}
    counts = (log.category_counts(), log.kind_counts(), log.frequency_report(days=60, now=NOW))
    assert "[card]" in before[ids["old_complaint"]].raw_text  # masked when written

    report = world.purge()

    after = {entry.id: entry for entry in log.entries()}
    assert after.keys() == before.keys()
    old = after[ids["old_complaint"]]
    assert (old.raw_text, old.comment, old.order_number) == ("", None, None)
    assert old.paraphrase == "your kettle arrived broken"
    assert (old.kind, old.category, old.severity, old.outcome, old.rating, old.created_at, old.conversation_id) == (
        "complaint",
        "damaged_item",
        ("anger",),
        "solution_accepted",
        2,
        before[old.id].created_at,
        "old-ana",
    )
    assert after[ids["old_fallback"]].raw_text == ""
    assert after[ids["recent"]] == before[ids["recent"]]
    assert (log.category_counts(), log.kind_counts(), log.frequency_report(days=60, now=NOW)) == counts
    assert report.count("assistant database", "issue_log") == 3
    log.close_connections()


def test_masked_counts_and_phrases_stay_equal(world: World) -> None:
    seed_care_database(world)
    log = IssueLog(world.care_url)
    for day in (40, 41, 42):
        log.record(
            IssueEntry(
                conversation_id=f"c-{day}",
                kind="complaint",
                category="late_delivery",
                raw_text="My parcel has not arrived, email me at x@example.com",
                paraphrase="your parcel has not arrived",
                outcome="escalated",
                created_at=days_ago(day),
            )
        )
    periods = [(None, None), (days_ago(90), CUTOFF), (CUTOFF, NOW)]
    before = [
        (log.category_counts(*period), log.kind_counts(*period), log.common_phrases(*period)) for period in periods
    ]
    ratings = Counter((entry.kind, entry.category, entry.outcome, entry.rating) for entry in log.entries())

    world.purge()

    assert [
        (log.category_counts(*period), log.kind_counts(*period), log.common_phrases(*period)) for period in periods
    ] == before
    assert Counter((entry.kind, entry.category, entry.outcome, entry.rating) for entry in log.entries()) == ratings
    assert ("parcel not arrived", 3) in before[1][2]
    log.close_connections()


def test_closed_tickets_lose_their_texts_but_keep_id_category_times_and_outcome(world: World) -> None:
    ids = seed_care_database(world)
    tickets = TicketStore(world.care_url)
    before = {
        ticket_id: tickets.get(ticket_id) for ticket_id in (ids["old_ticket"], ids["open_ticket"], ids["closed_lately"])
    }

    report = world.purge()

    old, was = tickets.get(ids["old_ticket"]), before[ids["old_ticket"]]
    assert (old.summary, old.customer_name, old.customer_email) == ("", None, None)
    assert old.outcome == "Replacement sent; confirmed to [email]"
    assert (
        old.id,
        old.conversation_id,
        old.reason,
        old.category,
        old.priority,
        old.status,
        old.assigned_agent,
        old.created_at,
        old.updated_at,
        old.closed_at,
    ) == (
        was.id,
        was.conversation_id,
        was.reason,
        was.category,
        was.priority,
        was.status,
        was.assigned_agent,
        was.created_at,
        was.updated_at,
        was.closed_at,
    )
    assert tickets.get(ids["open_ticket"]) == before[ids["open_ticket"]]  # still waiting after 40 days
    assert tickets.get(ids["closed_lately"]) == before[ids["closed_lately"]]  # closed 5 days ago
    assert report.count("assistant database", "tickets") == 1
    tickets.close_connections()


def test_inbox_messages_older_than_the_days_go_with_their_marks_and_choices_but_labels_stay(world: World) -> None:
    world.converse(
        "old-ana",
        session(
            days_ago(45),
            ("whre is my parcle", "nlu_fallback"),
            ("/track_order", "track_order"),
            (f"card {CARD} charged twice", "complaint"),
        ),
    )
    world.converse("recent-bo", session(days_ago(2), ("whre is my parcle", "nlu_fallback"), ("hello", "greet")))
    inbox = world.inbox()
    assert inbox.sync() == 4
    old_message = next(
        message
        for group in inbox.groups(flagged_only=False)
        for message in group.messages
        if message.conversation_id == "old-ana" and "card" in message.text
    )
    assert "[card]" in old_message.text
    assert inbox.mark_misunderstood("old-ana", old_message.text, old_message.sent_at, "sam")
    inbox.mark_misunderstood("old-ana", "a message never synced", days_ago(44), "sam")
    fallback = inbox.group("whre is my parcle")
    assert fallback.count == 2 and fallback.customer_choices == {"track_order": 1}
    inbox.label(["whre is my parcle"], "intent", "tara", intent="track_order")
    approved = inbox.approved_examples()

    report = world.purge()

    remaining = [
        message for group in inbox.groups(flagged_only=False, include_labelled=True) for message in group.messages
    ]
    assert {message.conversation_id for message in remaining} == {"recent-bo"}
    assert len(remaining) == 2
    fallback = inbox.group("whre is my parcle")
    assert fallback.count == 1 and fallback.customer_choices == {}
    assert inbox.approved_examples() == approved
    with sqlite3.connect(world.root / "var" / "care.db") as connection:
        assert connection.execute("SELECT count(*) FROM inbox_marks").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM inbox_clarifications").fetchone() == (0,)
    assert report.count("assistant database", "inbox_messages") == 2
    assert report.count("assistant database", "inbox_marks") == 2
    assert report.count("assistant database", "inbox_clarifications") == 1
    assert inbox.sync() == 0  # the broker's old rows went too; nothing comes back
    inbox.close()


def test_nothing_is_created_where_there_is_no_database_yet(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    endpoints = write_endpoints(root / "endpoints.yml", root / "var" / "tracker.db", root / "var" / "events.db")

    report = purge(
        DAYS,
        endpoints=endpoints,
        database_url=f"sqlite:///{root / 'var' / 'care.db'}",
        events_url=f"sqlite:///{root / 'var' / 'events.db'}",
    )

    assert report.tables == [] and report.failures == []
    assert sorted(path.name for path in root.iterdir()) == ["endpoints.yml"]


def test_a_database_that_fails_is_reported_and_the_others_are_still_purged(world: World) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    seed_care_database(world)
    world.tracker_db.write_bytes(b"this is not a database" * 100)

    report = world.purge()

    assert len(report.failures) == 1 and report.failures[0].startswith("tracker store at sqlite:///")
    assert world.broker_rows("old-ana") == []
    assert report.count("assistant database", "issue_log") == 3


# --- Settings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, -1, 1.5, "30", True, None])
def test_purge_refuses_anything_but_a_whole_number_of_days_from_one(days: Any, world: World) -> None:
    with pytest.raises(RetentionError, match="at least 1"):
        world.purge(days)


@pytest.mark.parametrize(("value", "days"), [(None, None), ("", None), ("  ", None), ("30", 30), (" 1 ", 1)])
def test_retention_days_comes_from_the_environment_unset_keeps_everything(
    value: Optional[str], days: Optional[int]
) -> None:
    assert retention_days({} if value is None else {"CARE_RETENTION_DAYS": value}) == days


@pytest.mark.parametrize("value", ["0", "-5", "thirty", "1.5"])
def test_a_bad_retention_setting_is_refused_with_its_name(value: str) -> None:
    with pytest.raises(RetentionError, match=f"CARE_RETENTION_DAYS must be a whole number.*{value!r}"):
        retention_days({"CARE_RETENTION_DAYS": value})


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("CARE_DATABASE_URL", "CARE_EVENTS_URL", "CARE_VAR_DIR", "CARE_ENDPOINTS", "POSTGRESQL_SCHEMA"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_locations_are_the_ones_the_servers_use(clean_environment: pytest.MonkeyPatch) -> None:
    where = locations(base_dir=PROJECT_ROOT)

    assert where.tracker_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    assert where.broker_urls == (f"sqlite:///{PROJECT_ROOT / 'var' / 'events.db'}",)  # Rasa's and the inbox's
    assert where.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'care.db'}"


def test_locations_follow_the_environment(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment.setenv("CARE_VAR_DIR", str(tmp_path / "data"))
    clean_environment.setenv(
        "CARE_ENDPOINTS", str(write_endpoints(tmp_path / "e.yml", Path("var/t.db"), Path("/srv/events.db")))
    )

    where = locations(base_dir=tmp_path)

    assert where.tracker_url == f"sqlite:///{tmp_path / 'var' / 't.db'}"
    # The broker Rasa writes, and the one the inbox reads (CARE_VAR_DIR moved it): both are purged.
    assert where.broker_urls == ("sqlite:////srv/events.db", f"sqlite:///{tmp_path / 'data' / 'events.db'}")
    assert where.database_url == f"sqlite:///{tmp_path / 'data' / 'care.db'}"
    clean_environment.setenv("CARE_DATABASE_URL", "postgresql://care:pw@db/care")
    clean_environment.setenv("CARE_EVENTS_URL", "sqlite:////srv/events.db")
    where = locations(base_dir=tmp_path)
    assert where.broker_urls == ("sqlite:////srv/events.db",)
    assert where.database_url == "postgresql://care:pw@db/care"


def test_a_postgresql_tracker_store_with_variables_and_a_non_sql_broker(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: db.example:5433\n"
        "  db: rasa\n  username: rasa\n  password: ${TRACKER_PASSWORD}\n"
        "event_broker:\n  type: pika\n  url: rabbit\n  queues: [rasa]\n"
    )
    with pytest.raises(RetentionError, match=r"\$\{TRACKER_PASSWORD\}, which is not set"):
        locations(endpoints, base_dir=tmp_path)
    clean_environment.setenv("TRACKER_PASSWORD", "s3cret")

    where = locations(endpoints, events_url="postgresql://inbox@db.example/events", base_dir=tmp_path)

    assert where.tracker_url == "postgresql://rasa:s3cret@db.example:5433/rasa"
    assert where.broker_urls == ("postgresql://inbox@db.example/events",)
    assert where.notes == ("event broker: pika in " + str(endpoints) + ", not SQL; its retention is the broker's own",)
    assert safe_url(where.tracker_url) == "postgresql://rasa:***@db.example:5433/rasa"


def test_a_tracker_store_that_is_not_sql_is_left_alone_with_a_note(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: redis\n  url: localhost\n")
    where = locations(endpoints, base_dir=tmp_path)
    assert where.tracker_url is None
    assert where.notes[0].startswith("tracker store: redis in ")
    endpoints.write_text("tracker_store:\n  type: addons.tracker_store.NoSuchStore\n")
    assert locations(endpoints, base_dir=tmp_path).tracker_url is None
    endpoints.write_text("tracker_store:\n  type: sql\n  db: same.db\nevent_broker:\n  type: SQL\n  db: same.db\n")
    where = locations(endpoints, events_url=f"sqlite:///{tmp_path / 'same.db'}", base_dir=tmp_path)
    assert where.tracker_url == f"sqlite:///{tmp_path / 'same.db'}" and where.broker_urls == ()


def test_the_tables_and_names_are_rasas() -> None:
    for ours, rasas in (
        (tracker_events_table, RasaSQLTrackerStore.SQLEvent.__table__),
        (broker_events_table, SQLEventBroker.SQLBrokerEvent.__table__),
    ):
        assert ours.name == rasas.name
        for column in ours.columns:
            assert type(column.type) is type(rasas.c[column.name].type), column.name
    assert retention_tables.SESSION_STARTED == SessionStarted.type_name
    assert retention_tables.ACTION_EXECUTED == ActionExecuted.type_name
    assert retention_tables.ACTION_SESSION_START == ACTION_SESSION_START_NAME


# --- The command line -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", ["0", "-1", "abc", "1.5"])
def test_the_command_refuses_days_below_one(days: str, world: World, capsys: pytest.CaptureFixture) -> None:
    world.converse("old-ana", session(days_ago(45), ("hello", "greet")))
    rows = world.tracker_rows()

    with pytest.raises(SystemExit) as exit_info:
        purge_cli.main(["--days", days, "--endpoints", str(world.endpoints)])

    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert f"argument --days: must be a whole number of days, at least 1, not {days!r}" in error
    assert world.tracker_rows() == rows


def test_the_command_needs_the_days(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        purge_cli.main([])
    assert exit_info.value.code == 2
    assert "--days" in capsys.readouterr().err


def test_the_command_prints_what_it_deleted_per_table(
    world: World, clean_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    world.converse("recent-bo", session(days_ago(2), ("hi", "greet")))
    seed_care_database(world)
    inbox = world.inbox()
    inbox.sync()
    inbox.close()
    clean_environment.setenv("CARE_DATABASE_URL", world.care_url)
    clean_environment.setenv("CARE_EVENTS_URL", f"sqlite:///{world.events_db}")

    assert purge_cli.main(["--days", "30", "--endpoints", str(world.endpoints)]) == 0

    out = capsys.readouterr().out
    assert f"Tracker store:      sqlite:///{world.tracker_db}" in out
    assert "Deleted what is older than 30 days (before " in out
    for line in (
        "tracker store: events: 7 events deleted (1 conversation removed, 0 cut to their current session)",
        "event broker: events: 7 events deleted",
        "assistant database: inbox_messages: 1 message deleted",
        "assistant database: inbox_marks: 0 marks deleted",
        "assistant database: inbox_clarifications: 0 customer choices deleted",
        "assistant database: issue_log: 3 rows cleared of raw text, comment and order number (rows, counts, "
        "ratings and masked paraphrases kept)",
        "assistant database: tickets: 1 closed ticket cleared of summary, customer name and e-mail (id, "
        "category, status, times and masked outcome kept)",
    ):
        assert line in out
    assert world.tracker_rows("old-ana") == []

    assert purge_cli.main(["--days", "30", "--endpoints", str(world.endpoints)]) == 0
    assert "tracker store: events: 0 events deleted" in capsys.readouterr().out


def test_the_command_exits_1_when_a_database_fails(
    world: World, clean_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    world.converse("old-ana", session(days_ago(45), ("hello", "greet")))
    world.events_db.write_bytes(b"not a database" * 100)
    clean_environment.setenv("CARE_DATABASE_URL", world.care_url)

    assert purge_cli.main(["--days", "30", "--endpoints", str(world.endpoints)]) == 1

    assert "FAILED: event broker at sqlite:///" in capsys.readouterr().out
    assert world.tracker_rows("old-ana") == []


# --- Daily, in the agent console ------------------------------------------------------------------------------


def test_the_daily_purge_runs_now_and_after_each_interval_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: List[Tuple[int, int]] = []

    def fake_purge(days: int, **options: Any) -> PurgeReport:
        calls.append((days, threading.get_ident()))
        if len(calls) == 2:
            raise RetentionError("endpoints unreadable today")
        return PurgeReport(days=days, cutoff=NOW, failures=["event broker at x: down"] if len(calls) == 3 else [])

    monkeypatch.setattr(retention, "purge", fake_purge)

    async def run_for_a_while() -> int:
        start_daily_purge(7, interval=timedelta(seconds=0.05), log=logging.getLogger("t"))
        assert len(calls) <= 1  # started, not waited for
        while len(calls) < 4:
            await asyncio.sleep(0.01)
        return threading.get_ident()

    with caplog.at_level(logging.INFO, logger="t"):
        loop_thread = asyncio.run(asyncio.wait_for(run_for_a_while(), 10))

    assert [days for days, _ in calls[:4]] == [7, 7, 7, 7]
    assert all(thread != loop_thread for _, thread in calls)
    messages = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert ("INFO", f"Retention: Deleted what is older than 7 days (before {NOW:%Y-%m-%d %H:%M} UTC):") in messages
    assert ("ERROR", "Retention: the purge of data older than 7 days failed; next try in 0:00:00.050000") in messages
    assert ("ERROR", "Retention: FAILED: event broker at x: down") in messages


def test_the_console_purges_at_start_up_when_care_retention_days_is_set(
    world: World, clean_environment: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from test_console_support import running_console

    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    world.converse("recent-bo", session(days_ago(2), ("hi", "greet")))
    clean_environment.setenv("CARE_RETENTION_DAYS", "30")
    clean_environment.setenv("CARE_ENDPOINTS", str(world.endpoints))
    recent = world.tracker_rows("recent-bo")

    def logged() -> List[str]:
        return [record.getMessage() for record in caplog.records if record.getMessage().startswith("Retention: ")]

    with caplog.at_level(logging.INFO, logger="sanic.root"):
        with running_console(world.root, database_url=world.care_url, events_url=f"sqlite:///{world.events_db}"):
            deadline = time.monotonic() + 30
            while not any("event broker: events:" in line for line in logged()) and time.monotonic() < deadline:
                time.sleep(0.05)

    assert world.tracker_rows("old-ana") == [] and world.broker_rows("old-ana") == []
    assert logged()[0].startswith("Retention: Deleted what is older than 30 days (before ")
    assert logged()[1:3] == [
        "Retention: tracker store: events: 7 events deleted (1 conversation removed, 0 cut to their current session)",
        "Retention: event broker: events: 7 events deleted",
    ]
    assert world.tracker_rows("recent-bo") == recent


def test_the_console_keeps_everything_without_the_setting_and_refuses_a_bad_one(
    world: World, clean_environment: pytest.MonkeyPatch
) -> None:
    from test_console_support import running_console, settings_for

    from console import app as console_app

    started: List[Any] = []
    clean_environment.setattr(console_app, "start_daily_purge", lambda *args, **kwargs: started.append(args))
    with running_console(world.root):
        time.sleep(0.2)
    assert started == []

    clean_environment.setenv("CARE_RETENTION_DAYS", "0")
    with pytest.raises(RetentionError, match="CARE_RETENTION_DAYS"):
        console_app.create_app(settings_for(world.root), rasa_client=object())
