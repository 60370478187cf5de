"""addons.tracker_store.LeanSQLTrackerStore stores, returns and streams exactly what Rasa's SQLTrackerStore does."""

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.events import deserialise_events as rasa_deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

from addons.tracker_store import LeanSQLTrackerStore, deserialise_events
from customer_care.settings import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _user(text: str, intent: str, timestamp: float, **entities: str) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": intent, "confidence": 0.97},
        entities=[{"entity": name, "value": value, "start": 0, "end": len(value)} for name, value in entities.items()],
        parse_data={"text": text, "intent": {"name": intent, "confidence": 0.97}},
        timestamp=timestamp,
    )


def _session_start(timestamp: float) -> List[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=timestamp),
        SessionStarted(timestamp=timestamp),
        ActionExecuted("action_listen", timestamp=timestamp),
    ]


# A conversation in turns, each saved on its own: a greeting, an order form, then a second session.
TURNS: List[List[Event]] = [
    _session_start(100.0),
    [
        _user("hi", "greet", 101.0),
        ActionExecuted("utter_greet", timestamp=101.1),
        BotUttered("Hi! I'm Wren.", timestamp=101.1),
        ActionExecuted("action_listen", timestamp=101.2),
    ],
    [
        _user("where is order 109112", "track_order", 102.0, order_number="109112"),
        ActionExecuted("order_form", timestamp=102.1),
        ActiveLoop("order_form", timestamp=102.1),
        SlotSet("order_number", "109112", timestamp=102.1),
        ActiveLoop(None, timestamp=102.2),
        ActionExecuted("action_track_order", timestamp=102.3),
        BotUttered("It's with DHL.", timestamp=102.3),
        ActionExecuted("action_listen", timestamp=102.4),
    ],
    [],  # a save with nothing new
    _session_start(5000.0),
    [_user("thanks <b>bye</b> \u2764", "goodbye", 5001.0), ActionExecuted("utter_goodbye", timestamp=5001.1)],
]


class CollectingBroker(EventBroker):
    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


def _rows(path: Path, query: str) -> List[Tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(query).fetchall()


def _stores(tmp_path: Path, cls: type, name: str, broker: EventBroker = None) -> RasaSQLTrackerStore:
    broker = broker or SQLEventBroker(db=str(tmp_path / f"{name}-events.db"))
    return cls(domain=DOMAIN, db=str(tmp_path / f"{name}-tracker.db"), event_broker=broker)


async def _save_turn_by_turn(store: RasaSQLTrackerStore, sender_id: str = "customer-1") -> None:
    tracker = DialogueStateTracker(sender_id, DOMAIN.slots)
    for turn in TURNS:
        tracker = await store.retrieve(sender_id) or tracker
        for event in turn:
            tracker.update(event)
        await store.save(tracker)


@pytest.fixture
def both(tmp_path: Path) -> Tuple[RasaSQLTrackerStore, LeanSQLTrackerStore]:
    rasa_store, ours = _stores(tmp_path, RasaSQLTrackerStore, "rasa"), _stores(tmp_path, LeanSQLTrackerStore, "ours")
    asyncio.run(_save_turn_by_turn(rasa_store))
    asyncio.run(_save_turn_by_turn(ours))
    return rasa_store, ours


def test_the_events_table_gets_the_same_rows(both, tmp_path: Path) -> None:
    query = "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
    ours = _rows(tmp_path / "ours-tracker.db", query)
    assert ours == _rows(tmp_path / "rasa-tracker.db", query)
    assert len(ours) == sum(len(turn) for turn in TURNS)
    assert ("track_order", None) in {(row[4], row[5]) for row in ours}


def test_the_event_broker_gets_the_same_events_once_each(both, tmp_path: Path) -> None:
    query = "SELECT id, sender_id, data FROM events ORDER BY id"
    ours = _rows(tmp_path / "ours-events.db", query)
    assert ours == _rows(tmp_path / "rasa-events.db", query)
    assert len(ours) == sum(len(turn) for turn in TURNS)


def test_conversations_read_back_the_same(both) -> None:
    rasa_store, ours = both
    for read in ("retrieve", "retrieve_full_tracker"):
        expected = asyncio.run(getattr(rasa_store, read)("customer-1"))
        got = asyncio.run(getattr(ours, read)("customer-1"))
        assert got.events == expected.events
        assert got.current_slot_values() == expected.current_slot_values()
    latest_session = asyncio.run(ours.retrieve("customer-1"))
    assert latest_session.latest_message.intent["name"] == "goodbye"
    assert all(event.timestamp >= 5000.0 for event in latest_session.events)
    assert asyncio.run(ours.retrieve("nobody")) is None


def test_other_event_brokers_get_each_new_event_in_order(tmp_path: Path) -> None:
    broker = CollectingBroker()
    store = _stores(tmp_path, LeanSQLTrackerStore, "collecting", broker)
    asyncio.run(_save_turn_by_turn(store))
    expected = [event for turn in TURNS for event in turn]
    assert [body["event"] for body in broker.published] == [event.type_name for event in expected]
    assert {body["sender_id"] for body in broker.published} == {"customer-1"}


def test_the_sql_event_broker_gets_the_events_through_its_publish(tmp_path: Path) -> None:
    class CountingSQLBroker(SQLEventBroker):
        published: List[Dict[str, Any]] = []

        def publish(self, event: Dict[str, Any]) -> None:
            self.published.append(event)
            super().publish(event)

    broker = CountingSQLBroker(db=str(tmp_path / "counting-events.db"))
    asyncio.run(_save_turn_by_turn(_stores(tmp_path, LeanSQLTrackerStore, "counting", broker)))

    rows = _rows(tmp_path / "counting-events.db", "SELECT sender_id, data FROM events ORDER BY id")
    assert [(body["sender_id"], json.dumps(body)) for body in broker.published] == rows
    assert len(rows) == sum(len(turn) for turn in TURNS)


def test_sqlite_files_use_the_write_ahead_log(both, tmp_path: Path) -> None:
    for database in ("ours-tracker.db", "ours-events.db"):
        assert _rows(tmp_path / database, "PRAGMA journal_mode") == [("wal",)]
    assert _rows(tmp_path / "rasa-tracker.db", "PRAGMA journal_mode") == [("delete",)]


def test_endpoints_yml_names_this_store() -> None:
    import yaml

    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    assert endpoints["tracker_store"]["type"] == "addons.tracker_store.LeanSQLTrackerStore"


def test_events_are_rebuilt_as_rasa_rebuilds_them() -> None:
    dumps = [event.as_dict() for turn in TURNS for event in turn]
    dumps += [{"event": "topic", "topic": "old"}, {"event": "restart", "timestamp": 1.0}, {"no": "event"}]
    assert deserialise_events(dumps) == rasa_deserialise_events(dumps)
    assert len(deserialise_events(dumps)) == sum(len(turn) for turn in TURNS) + 1  # old "topic" events are dropped
    with pytest.raises(ValueError):
        deserialise_events([{"event": "no_such_event"}])


def test_sqlite_connections_are_pooled(both) -> None:
    _, ours = both
    assert ours.engine.pool.__class__.__name__ == "QueuePool"
    assert ours.event_broker.engine.pool.__class__.__name__ == "QueuePool"
