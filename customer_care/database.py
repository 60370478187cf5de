"""Engines and times for the assistant's own SQL database (issue log, tickets, agents), shared by every module,
and read-only engines on databases other processes write (the event broker's, read by the review inbox).

Times are stored as naive UTC (portable across databases) and handed back timezone-aware.
"""

import sqlite3
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Type, TypeVar

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool, StaticPool

Record = TypeVar("Record")


def engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    database = parsed.database or ""
    if database in ("", ":memory:"):
        # Tests and demos: one shared connection, or every thread would see its own empty database.
        return create_engine(url, future=True, poolclass=StaticPool, connect_args={"check_same_thread": False})
    if not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Several processes (action server, console) write the same file: wait for a lock instead of failing.
    return create_engine(url, future=True, connect_args={"timeout": 15})


def read_only_engine_for(url: str) -> Optional[Engine]:
    """An engine that reads the database at `url` without ever creating or changing it, or None while there is
    nothing to read (a SQLite file not made yet, or a private in-memory database, which is always empty)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return create_engine(url, future=True, poolclass=NullPool)
    path = Path(database)
    if not path.is_file():
        return None  # connecting would create the file; its writer makes it when it first writes
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return create_engine(
        "sqlite://",
        future=True,
        poolclass=NullPool,
        creator=lambda: sqlite3.connect(uri, uri=True, timeout=15, check_same_thread=False),
    )


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_stored_time(moment: datetime) -> datetime:
    """Naive UTC, as stored; naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def from_stored_time(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc)


def from_optional_stored_time(moment: Optional[datetime]) -> Optional[datetime]:
    return from_stored_time(moment) if moment else None


def from_row(record: Type[Record], row: Mapping[str, Any], **convert: Callable[[Any], Any]) -> Record:
    """The dataclass `record` made from a row whose columns are named like its fields; `convert` names the fields
    whose stored value must be turned into the field's (times, enums, "" for NULL) first."""
    values = {field.name: row[field.name] for field in fields(record)}  # type: ignore[arg-type]
    for name, stored_to_field in convert.items():
        values[name] = stored_to_field(values[name])
    return record(**values)
