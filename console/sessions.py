"""Server-side login sessions, in the `console_sessions` table of the assistant's database.

The browser holds a random token; the table holds only its SHA-256, so a leaked database copy cannot be
replayed as a login. A session ends on logout, or after `idle` without a request.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, select, update

from customer_care.database import engine_for, from_stored_time, to_stored_time, utc_now

# Polling pages hit the console every few seconds; recording every hit would only add write contention.
LAST_SEEN_RESOLUTION = timedelta(seconds=30)

metadata = MetaData()

sessions_table = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(50), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("last_seen_at", DateTime(timezone=False), nullable=False, index=True),
)


@dataclass(frozen=True)
class Session:
    username: str
    csrf_token: str
    last_seen_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, url: str, idle: timedelta) -> None:
        self.engine = engine_for(url)
        self.idle = idle
        metadata.create_all(self.engine, checkfirst=True)

    def close_connections(self) -> None:
        self.engine.dispose()

    def start(self, username: str, now: Optional[datetime] = None) -> str:
        """A new session for `username`; returns the token for the cookie."""
        stamp = to_stored_time(now or utc_now())
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            # Logins are rare, so they sweep away the sessions that expired unnoticed.
            connection.execute(delete(sessions_table).where(sessions_table.c.last_seen_at < stamp - self.idle))
            connection.execute(sessions_table.insert().values(
                token_hash=token_hash(token), username=username, csrf_token=secrets.token_urlsafe(32),
                created_at=stamp, last_seen_at=stamp,
            ))
        return token

    def resume(self, token: str, now: Optional[datetime] = None) -> Optional[Session]:
        """The live session for `token`, marked as used now; None when unknown or idle too long."""
        if not token:
            return None
        stamp = to_stored_time(now or utc_now())
        key = token_hash(token)
        with self.engine.begin() as connection:
            row = connection.execute(select(sessions_table).where(sessions_table.c.token_hash == key)).first()
            if row is None:
                return None
            if row.last_seen_at < stamp - self.idle:
                connection.execute(delete(sessions_table).where(sessions_table.c.token_hash == key))
                return None
            last_seen = row.last_seen_at
            if stamp - last_seen >= LAST_SEEN_RESOLUTION:
                connection.execute(update(sessions_table).where(sessions_table.c.token_hash == key)
                                   .values(last_seen_at=stamp))
                last_seen = stamp
        return Session(username=row.username, csrf_token=row.csrf_token, last_seen_at=from_stored_time(last_seen))

    def end(self, token: str) -> None:
        if token:
            with self.engine.begin() as connection:
                connection.execute(delete(sessions_table).where(sessions_table.c.token_hash == token_hash(token)))

    def end_all(self, username: str) -> int:
        """Log `username` out everywhere (after a password change); returns how many sessions ended."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(sessions_table).where(sessions_table.c.username == username))
            return int(result.rowcount or 0)
