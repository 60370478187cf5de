"""Rasa's SQL tracker store doing less work per turn; endpoints.yml names it `addons.tracker_store.LeanSQLTrackerStore`.

Per saved turn Rasa's SQLTrackerStore loads and rebuilds the whole conversation a second time to find the events
to send to the event broker, and builds ORM objects for rows it only reads; its SQL event broker opens a new
SQLite connection for every event. With the SQL event broker on, that was about half of the Rasa server's CPU
time per turn. This store keeps the same table, the same rows and the same events for the broker:
- the new events are counted once, as Rasa's own save does, and both the table and the broker get exactly those,
  the broker through its public `publish`, one event at a time, as Rasa's own save hands them over;
- conversations are read as plain rows, and their events rebuilt through a table of event classes made once
  (Rasa walks every subclass of Event for every stored event);
- an SQLite file (the store's, and the SQL event broker's) is opened once per pooled connection, not once per
  query, in write-ahead-log mode with `synchronous=NORMAL`, the usual setting for a server: a committed turn
  survives a crash of the process, and readers (the console's inbox) never block the bot;
- on PostgreSQL, pooled connections are checked before use, so a restarted database server costs no turn.
It uses Rasa 3.6's private query helpers and engine attributes: a seam, pinned by addons.seams.
"""

import functools
import itertools
import json
from typing import Any, Dict, Iterable, List, Optional, Text, Type

import sqlalchemy as sa
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core import events as rasa_events
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.common import all_subclasses
from sqlalchemy.orm import sessionmaker

from addons import seams

seams.install()  # Rasa loads this store by name from endpoints.yml, also under plain `rasa run`


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def tune_engine(owner: Any) -> None:
    """Give `owner` (a Rasa SQL tracker store or SQL event broker) a better engine for a server:
    - on an SQLite file, a pooled one in write-ahead-log mode (SQLAlchemy 1.4 opens a new SQLite connection for
      every session by default: three per turn, each paying for the connection and its settings);
    - on a database server (PostgreSQL), one that checks a pooled connection before using it, so that the first
      turn after the server restarted gets a new connection instead of failing on a dead one."""
    url = owner.engine.url
    if owner.engine.dialect.name != "sqlite":
        engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
    elif url.database in (None, "", ":memory:"):
        return
    else:
        engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _configure_sqlite)
    owner.engine.dispose()
    owner.engine = engine
    owner.sessionmaker = sessionmaker(bind=engine)


@functools.cache
def _event_classes() -> Dict[Text, Type[Event]]:
    classes: Dict[Text, Type[Event]] = {}
    for event_class in all_subclasses(Event):
        classes.setdefault(event_class.type_name, event_class)  # the first match, as Event.resolve_by_type
    return classes


def deserialise_events(dumps: Iterable[Dict[Text, Any]]) -> List[Event]:
    """The events Rasa's `deserialise_events` makes of `dumps`."""
    classes = _event_classes()
    events: List[Event] = []
    for dump in dumps:
        name = dump.get("event")
        event_class = classes.get(name) if isinstance(name, str) else None
        event = event_class._from_parameters(dump) if event_class else None
        if event is None:  # an unknown or old event name: Rasa's own handling (and warning)
            events.extend(rasa_events.deserialise_events([dump]))
        else:
            events.append(event)
    return events


class LeanSQLTrackerStore(SQLTrackerStore):
    """Same storage as Rasa's SQLTrackerStore, fewer queries per turn."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tune_engine(self)
        if isinstance(self.event_broker, SQLEventBroker):
            tune_engine(self.event_broker)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = (
                self._event_query(session, sender_id, fetch_events_from_all_sessions)
                .with_entities(self.SQLEvent.data)
                .all()
            )
        if not self.domain or not rows:
            return None
        events = deserialise_events(json.loads(data) for (data,) in rows)
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            dumps = [event.as_dict() for event in itertools.islice(tracker.events, stored, len(tracker.events))]
            if dumps:
                rows = [self._row(tracker.sender_id, dump) for dump in dumps]
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
                session.commit()
        if self.event_broker is not None:
            for dump in dumps:
                self.event_broker.publish({"sender_id": tracker.sender_id, **dump})

    @staticmethod
    def _row(sender_id: Text, dump: Dict[Text, Any]) -> Dict[Text, Any]:
        return {
            "sender_id": sender_id,
            "type_name": dump["event"],
            "timestamp": dump.get("timestamp"),
            "intent_name": dump.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": dump.get("name"),
            "data": json.dumps(dump),
        }
