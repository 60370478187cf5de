"""Server-side login sessions, in the `console_sessions` table of the assistant's database, and the login
throttle, in the `console_login_failures` table next to it (so every console process shares both).

The browser holds a random token; the table holds only its SHA-256, so a leaked database copy cannot be
replayed as a login. A session ends on logout, after `idle` without a request, or `lifetime` after the login
however busy it is (the console's pages poll every few seconds, so idleness alone would never end one).

The throttle counts failed logins per username and per client address: `ThrottleRules.per_user` (5) or
`per_address` (20) failures within `window` (15 minutes) lock that username or address for `first_lock`
(5 minutes); each further lock of the same one doubles, up to `longest_lock` (1 hour). A lock is forgotten
after `forget_after` (a day) without failures, and a username's on its next successful login.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional, Tuple

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, delete, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from customer_care.database import engine_for, from_stored_time, to_stored_time, utc_now

# Polling pages hit the console every few seconds; recording every hit would only add write contention.
LAST_SEEN_RESOLUTION = timedelta(seconds=30)
DEFAULT_LIFETIME = timedelta(hours=12)

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

login_failures_table = Table(
    "console_login_failures",
    metadata,
    Column("bucket", String(100), primary_key=True),  # "user:<SHA-256 of the username>" or "address:<IP>"
    Column("failures", Integer, nullable=False),  # since window_start
    Column("window_start", DateTime(timezone=False), nullable=False),
    Column("strikes", Integer, nullable=False),  # locks so far; each one doubles the next
    Column("locked_until", DateTime(timezone=False), nullable=True),
    Column("last_failure_at", DateTime(timezone=False), nullable=False, index=True),
)


@dataclass(frozen=True)
class Session:
    username: str
    csrf_token: str
    last_seen_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ThrottleRules:
    per_user: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(minutes=5)
    longest_lock: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(days=1)


class LoginThrottle:
    """Failed logins per username and per client address, kept in the database."""

    def __init__(self, engine: Engine, rules: ThrottleRules = ThrottleRules()) -> None:
        self.engine = engine
        self.rules = rules

    def retry_after(self, username: str, address: str, now: Optional[datetime] = None) -> Optional[timedelta]:
        """How long the username or the address is still locked; None when neither is."""
        stamp = to_stored_time(now or utc_now())
        buckets = [bucket for bucket, _ in self._buckets(username, address)]
        with self.engine.connect() as connection:
            until = (
                connection.execute(
                    select(login_failures_table.c.locked_until).where(
                        login_failures_table.c.bucket.in_(buckets), login_failures_table.c.locked_until > stamp
                    )
                )
                .scalars()
                .all()
            )
        return max(until) - stamp if until else None

    def record_failure(self, username: str, address: str, now: Optional[datetime] = None) -> None:
        stamp = to_stored_time(now or utc_now())
        for bucket, limit in self._buckets(username, address):
            for attempt in range(2):  # two processes may insert the same new bucket at once; the loser updates
                try:
                    with self.engine.begin() as connection:
                        self._count(connection, bucket, limit, stamp)
                    break
                except IntegrityError:
                    if attempt:
                        raise
        with self.engine.begin() as connection:  # forget the buckets that have been quiet for long enough
            connection.execute(
                delete(login_failures_table).where(
                    login_failures_table.c.last_failure_at < stamp - self.rules.forget_after,
                    or_(login_failures_table.c.locked_until.is_(None), login_failures_table.c.locked_until < stamp),
                )
            )

    def record_success(self, username: str) -> None:
        """A successful login clears its username's failures and locks (not its address's)."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(login_failures_table).where(login_failures_table.c.bucket == self._user_bucket(username))
            )

    def _count(self, connection: Connection, bucket: str, limit: int, stamp: datetime) -> None:
        table = login_failures_table
        row = connection.execute(select(table).where(table.c.bucket == bucket).with_for_update()).first()
        if row is None:
            failures, window_start, strikes, locked_until = 0, stamp, 0, None
        else:
            failures, window_start, strikes, locked_until = (
                row.failures,
                row.window_start,
                row.strikes,
                row.locked_until,
            )
            if max(row.last_failure_at, locked_until or row.last_failure_at) < stamp - self.rules.forget_after:
                strikes = 0
            if window_start <= stamp - self.rules.window:
                failures, window_start = 0, stamp
        failures += 1
        if failures >= limit:
            strikes += 1
            lock = min(self.rules.first_lock * 2 ** min(strikes - 1, 30), self.rules.longest_lock)
            locked_until, failures, window_start = stamp + lock, 0, stamp
        values = dict(
            failures=failures,
            window_start=window_start,
            strikes=strikes,
            locked_until=locked_until,
            last_failure_at=stamp,
        )
        if row is None:
            connection.execute(table.insert().values(bucket=bucket, **values))
        else:
            connection.execute(update(table).where(table.c.bucket == bucket).values(**values))

    def _buckets(self, username: str, address: str) -> List[Tuple[str, int]]:
        return [
            (self._user_bucket(username), self.rules.per_user),
            (f"address:{address}"[:100], self.rules.per_address),
        ]

    @staticmethod
    def _user_bucket(username: str) -> str:
        # Hashed: any string can be typed as a username, and a password typed into that field stays unreadable.
        return "user:" + hashlib.sha256((username or "").strip().lower().encode()).hexdigest()


class SessionStore:
    def __init__(
        self,
        url: str,
        idle: timedelta,
        lifetime: timedelta = DEFAULT_LIFETIME,
        throttle: ThrottleRules = ThrottleRules(),
    ) -> None:
        self.engine = engine_for(url)
        self.idle = idle
        self.lifetime = lifetime
        metadata.create_all(self.engine, checkfirst=True)
        self.throttle = LoginThrottle(self.engine, throttle)

    def close_connections(self) -> None:
        self.engine.dispose()

    def start(self, username: str, now: Optional[datetime] = None) -> str:
        """A new session for `username`; returns the token for the cookie."""
        stamp = to_stored_time(now or utc_now())
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            # Logins are rare, so they sweep away the sessions that expired unnoticed.
            connection.execute(
                delete(sessions_table).where(
                    or_(
                        sessions_table.c.last_seen_at < stamp - self.idle,
                        sessions_table.c.created_at <= stamp - self.lifetime,
                    )
                )
            )
            connection.execute(
                sessions_table.insert().values(
                    token_hash=token_hash(token),
                    username=username,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=stamp,
                    last_seen_at=stamp,
                )
            )
        return token

    def resume(self, token: str, now: Optional[datetime] = None) -> Optional[Session]:
        """The live session for `token`, marked as used now; None when unknown, idle too long, or older than
        its lifetime (being used does not extend that)."""
        if not token:
            return None
        stamp = to_stored_time(now or utc_now())
        key = token_hash(token)
        with self.engine.begin() as connection:
            row = connection.execute(select(sessions_table).where(sessions_table.c.token_hash == key)).first()
            if row is None:
                return None
            if row.last_seen_at < stamp - self.idle or row.created_at <= stamp - self.lifetime:
                connection.execute(delete(sessions_table).where(sessions_table.c.token_hash == key))
                return None
            last_seen = row.last_seen_at
            if stamp - last_seen >= LAST_SEEN_RESOLUTION:
                connection.execute(
                    update(sessions_table).where(sessions_table.c.token_hash == key).values(last_seen_at=stamp)
                )
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
