"""Retention's settings: the number of days (from the call or CARE_RETENTION_DAYS), the databases' locations as
the servers find them (endpoints.yml, the environment), and the table and event names it shares with Rasa."""

from pathlib import Path
from typing import Any, Optional

import pytest
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted

from customer_care import retention_tables
from customer_care.retention import RetentionError, retention_days
from customer_care.retention_locations import locations, safe_url
from customer_care.retention_tables import broker_events_table, tracker_events_table
from customer_care.settings import PROJECT_ROOT
from tests.unit.retention_helpers import World, write_endpoints

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
