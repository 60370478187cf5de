"""Engines and times for the assistant's own SQL database (issue log, tickets, agents), shared by every module.

Times are stored as naive UTC (portable across databases) and handed back timezone-aware.
"""

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool


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


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_stored_time(moment: datetime) -> datetime:
    """Naive UTC, as stored; naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def from_stored_time(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc)
