"""addons.broker_events reads the SQL event broker's table exactly as Rasa's SQLEventBroker writes it."""

import json
from pathlib import Path

from rasa.core.brokers.sql import SQLEventBroker
from sqlalchemy import create_engine

from addons.broker_events import BrokerEvent, broker_events_table, read_events
from customer_care.database import read_only_engine_for


def test_the_table_is_rasas() -> None:
    rasas = SQLEventBroker.SQLBrokerEvent.__table__
    assert broker_events_table.name == rasas.name
    assert [column.name for column in broker_events_table.columns] == [column.name for column in rasas.columns]
    for column in broker_events_table.columns:
        assert type(column.type) is type(rasas.c[column.name].type), column.name
        assert column.primary_key == rasas.c[column.name].primary_key, column.name


def test_reads_what_rasas_broker_publishes_in_order_and_in_batches(tmp_path: Path) -> None:
    broker = SQLEventBroker(db=str(tmp_path / "events.db"))
    bodies = [{"sender_id": f"c-{number}", "event": "user", "text": f"message {number}"} for number in range(5)]
    for body in bodies:
        broker.publish(body)
    broker.engine.dispose()
    engine = read_only_engine_for(f"sqlite:///{tmp_path / 'events.db'}")
    assert engine is not None

    first = read_events(engine, after_id=0, limit=3)
    rest = read_events(engine, after_id=first[-1].id, limit=3)

    assert [event.sender_id for event in first + rest] == [body["sender_id"] for body in bodies]
    assert [json.loads(event.data or "") for event in first + rest] == bodies
    assert all(isinstance(event, BrokerEvent) for event in first + rest)
    assert read_events(engine, after_id=rest[-1].id, limit=3) == []
    engine.dispose()


def test_a_database_without_the_table_has_no_events(tmp_path: Path) -> None:
    create_engine(f"sqlite:///{tmp_path / 'events.db'}").connect().close()  # an empty file, as before the first event
    engine = read_only_engine_for(f"sqlite:///{tmp_path / 'events.db'}")
    assert engine is not None

    assert read_events(engine, after_id=0, limit=10) == []
    engine.dispose()
