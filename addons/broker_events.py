"""The SQL event broker's table, as the review inbox reads it and the retention purge empties it.

Rasa's SQLEventBroker writes each event of each conversation as one row of its table `events`: an id, the
conversation's sender_id, and the event as JSON in `data` (rasa.core.brokers.sql.SQLEventBroker.SQLBrokerEvent).
That table is Rasa's, not a public interface, so this is the one module that knows its layout. It declares the
table with the same name and columns instead of importing Rasa's declaration, so that the console, which reads
it, never loads Rasa; tests/unit/test_broker_events.py checks both against each other, and addons.seams pins the
Rasa release.
"""

from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, inspect, select
from sqlalchemy.engine import Engine

broker_events_table = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)


@dataclass(frozen=True)
class BrokerEvent:
    id: int  # ascending in the order the broker wrote them
    sender_id: Optional[str]
    data: Optional[str]  # the event as JSON, with its "sender_id"; anything else when another writer was careless


def read_events(engine: Engine, after_id: int, limit: int) -> List[BrokerEvent]:
    """Up to `limit` events written after the one with id `after_id`, oldest first, through an engine on the
    broker's database (customer_care.database.read_only_engine_for); none while the broker has no table yet."""
    events = broker_events_table
    with engine.connect() as connection:
        if not inspect(connection).has_table(events.name):
            return []
        statement = (
            select(events.c.id, events.c.sender_id, events.c.data)
            .where(events.c.id > after_id)
            .order_by(events.c.id)
            .limit(limit)
        )
        return [BrokerEvent(row.id, row.sender_id, row.data) for row in connection.execute(statement)]
