"""Shared by the retention tests (test_retention_*.py) and the conftest's `world`: the databases of a running
assistant, filled the way it fills them, and what a purge of them is measured with.

The databases are real SQLite files: the tracker store and the broker through addons.tracker_store.LeanSQLTrackerStore
(Rasa's tables) with Rasa's SQLEventBroker, the inbox by syncing that broker, the issue log and tickets through their
own classes.
"""

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.tracker_store import LeanSQLTrackerStore
from customer_care.inbox import Inbox
from customer_care.issue_log import IssueEntry, IssueLog
from customer_care.retention import PurgeReport, purge
from customer_care.settings import PROJECT_ROOT
from customer_care.tickets import NewTicket, TicketStore

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
