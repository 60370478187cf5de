"""People who answer escalated chats: accounts for the agent console, and who is on duty right now.

Passwords are stored as scrypt hashes with a random salt per agent. An agent counts as online while the
console has heard from them recently (its pages poll every few seconds); the bot promises a live hand-over
only when support is open by the store profile's hours *and* someone is online.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, List, Mapping, Optional

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, update

from customer_care.database import engine_for, from_stored_time, to_stored_time, utc_now
from customer_care.profile import StoreProfile
from customer_care.settings import database_url

ROLES = ("agent", "trainer")
ONLINE_WITHIN = timedelta(seconds=90)
MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                   dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)


class AgentError(ValueError):
    """An agent account can't be created or changed that way."""


metadata = MetaData()

agents_table = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(50), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("last_seen_at", DateTime(timezone=False), nullable=True),
)


@dataclass(frozen=True)
class Agent:
    username: str
    display_name: str
    role: str
    last_seen_at: Optional[datetime]


class AgentDirectory:
    def __init__(self, url: Optional[str] = None) -> None:
        self.engine = engine_for(url or database_url())
        metadata.create_all(self.engine, checkfirst=True)

    def add(self, username: str, display_name: str, password: str, role: str = "agent") -> Agent:
        username = username.strip().lower()
        if not USERNAME_PATTERN.match(username):
            raise AgentError("A username is 2-50 characters: lowercase letters, digits, '.', '_' or '-'.")
        if not display_name.strip():
            raise AgentError("A display name is needed: customers see it next to the agent's replies.")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AgentError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
        if role not in ROLES:
            raise AgentError(f"A role is one of {', '.join(ROLES)}.")
        if self.get(username):
            raise AgentError(f"There is already an agent called {username}.")
        with self.engine.begin() as connection:
            connection.execute(agents_table.insert().values(
                username=username, display_name=display_name.strip(), role=role,
                password_hash=hash_password(password), created_at=to_stored_time(utc_now()),
            ))
        return self.get(username)  # type: ignore[return-value]

    def set_password(self, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AgentError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
        username = username.strip().lower()
        if not self.get(username):
            raise AgentError(f"There is no agent called {username}.")
        with self.engine.begin() as connection:
            connection.execute(update(agents_table).where(agents_table.c.username == username)
                               .values(password_hash=hash_password(password)))

    def get(self, username: str) -> Optional[Agent]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(agents_table).where(agents_table.c.username == username.strip().lower())
            ).mappings().first()
        return _agent(row) if row else None

    def all(self) -> List[Agent]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(agents_table).order_by(agents_table.c.username)).mappings().all()
        return [_agent(row) for row in rows]

    def authenticate(self, username: str, password: str) -> Optional[Agent]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(agents_table).where(agents_table.c.username == (username or "").strip().lower())
            ).mappings().first()
        if row is None:
            verify_password(password or "", hash_password("timing-equaliser"))  # same work for unknown users
            return None
        return _agent(row) if verify_password(password or "", row["password_hash"]) else None

    def touch(self, username: str, now: Optional[datetime] = None) -> None:
        """Record that the agent is at the console now."""
        with self.engine.begin() as connection:
            connection.execute(update(agents_table).where(agents_table.c.username == username.strip().lower())
                               .values(last_seen_at=to_stored_time(now or utc_now())))

    def online(self, now: Optional[datetime] = None, within: timedelta = ONLINE_WITHIN) -> List[Agent]:
        since = to_stored_time((now or utc_now()) - within)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(agents_table).where(agents_table.c.role == "agent", agents_table.c.last_seen_at >= since)
            ).mappings().all()
        return [_agent(row) for row in rows]


def agent_on_duty(profile: StoreProfile, directory: AgentDirectory, now: Optional[datetime] = None) -> bool:
    """A live hand-over is possible: support hours are on and at least one agent is at the console."""
    now = now or utc_now()
    return profile.is_open(now) and bool(directory.online(now))


def _agent(row: Mapping[str, Any]) -> Agent:
    return Agent(username=row["username"], display_name=row["display_name"], role=row["role"],
                 last_seen_at=from_stored_time(row["last_seen_at"]) if row["last_seen_at"] else None)
