"""People who answer escalated chats: accounts for the agent console, and who is on duty right now.

Passwords are stored as argon2id hashes (argon2-cffi's `PasswordHasher`, RFC 9106 low-memory profile; the
cost parameters and a random salt are part of each hash). Hashes written before issue 14 (scrypt) still verify,
once: the login that proves one replaces it with argon2id, as it does any argon2 hash whose parameters are out
of date. Every login attempt costs exactly one hash verification, whether the username exists or not.

An account can be disabled (`disable`): it can't log in and never counts as on duty, and the console ends its
sessions. An agent counts as online while the console has heard from them recently (its pages poll every few
seconds); the bot promises a live hand-over only when support is open by the store profile's hours *and*
someone is online.
"""

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Dict, List, Mapping, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, inspect, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from customer_care.database import engine_for, from_stored_time, to_stored_time, utc_now
from customer_care.profile import StoreProfile
from customer_care.settings import database_url


class Role(str, Enum):
    """What an account may do in the console. Stored as the value's plain string."""

    AGENT = "agent"  # takes tickets and talks to customers
    TRAINER = "trainer"  # reads tickets, reviews and labels what customers wrote; never talks to them

    def __str__(self) -> str:  # "agent", in f-strings and templates alike, on every Python version
        return self.value


ONLINE_WITHIN = timedelta(seconds=90)
MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")

PASSWORD_HASHER = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4 in argon2-cffi 25.1; tests swap in a cheap one
LEGACY_SCRYPT_PREFIX = "scrypt$"  # what hash_password wrote before issue 14

logger = logging.getLogger(__name__)
_dummy_hashes: Dict[Tuple[Any, ...], str] = {}


def hash_password(password: str) -> str:
    return PASSWORD_HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    return _check_password(password, stored)[0]


def _check_password(password: str, stored: str) -> Tuple[bool, bool]:
    """(the password matches, the stored hash should be replaced). Exactly one hash verification whatever
    `stored` holds: a malformed hash is verified against the dummy hash instead, like an unknown user."""
    hasher = PASSWORD_HASHER
    if stored.startswith(LEGACY_SCRYPT_PREFIX):
        return _verify_scrypt(password, stored), True
    try:
        hasher.verify(stored, password)
    except VerifyMismatchError:
        return False, False
    except (InvalidHashError, VerificationError):
        _spend_one_verification(password)
        return False, False
    return True, hasher.check_needs_rehash(stored)


def _dummy_hash() -> str:
    """A hash of a random secret with the current cost parameters, made once per process and parameters."""
    hasher = PASSWORD_HASHER
    key = (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash(secrets.token_urlsafe(32))
    return _dummy_hashes[key]


def _spend_one_verification(password: str) -> None:
    """The work of checking a password, for an attempt that has no real hash to check it against."""
    try:
        PASSWORD_HASHER.verify(_dummy_hash(), password)
    except VerificationError:
        pass


def _verify_scrypt(password: str, stored: str) -> bool:
    """A hash from before issue 14: scrypt$N$r$p$salt$digest (hex)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
        )
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
    Column("disabled_at", DateTime(timezone=False), nullable=True),  # set while the account is disabled
)


@dataclass(frozen=True)
class Agent:
    username: str
    display_name: str
    role: Role
    last_seen_at: Optional[datetime]
    disabled: bool = False


def _add_missing_columns(engine: Engine) -> None:
    """Databases made before issue 14 have no `disabled_at` column; add it (another process may be doing the
    same, so a failure is fine as long as the column is there afterwards)."""

    def missing() -> bool:
        with engine.connect() as connection:
            return "disabled_at" not in {column["name"] for column in inspect(connection).get_columns("agents")}

    if not missing():
        return
    column_type = DateTime(timezone=False).compile(dialect=engine.dialect)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE agents ADD COLUMN disabled_at {column_type} NULL"))
    except SQLAlchemyError:
        if missing():
            raise


class AgentDirectory:
    def __init__(self, url: Optional[str] = None) -> None:
        self.engine = engine_for(url or database_url())
        metadata.create_all(self.engine, checkfirst=True)
        _add_missing_columns(self.engine)

    def add(self, username: str, display_name: str, password: str, role: str = Role.AGENT) -> Agent:
        username = username.strip().lower()
        if not USERNAME_PATTERN.match(username):
            raise AgentError("A username is 2-50 characters: lowercase letters, digits, '.', '_' or '-'.")
        if not display_name.strip():
            raise AgentError("A display name is needed: customers see it next to the agent's replies.")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AgentError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
        try:
            account_role = Role(role)
        except ValueError:
            raise AgentError(f"A role is one of {', '.join(member.value for member in Role)}.") from None
        if self.get(username):
            raise AgentError(f"There is already an agent called {username}.")
        with self.engine.begin() as connection:
            connection.execute(
                agents_table.insert().values(
                    username=username,
                    display_name=display_name.strip(),
                    role=account_role.value,
                    password_hash=hash_password(password),
                    created_at=to_stored_time(utc_now()),
                )
            )
        return self._written(username)

    def set_password(self, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AgentError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
        username = username.strip().lower()
        if not self.get(username):
            raise AgentError(f"There is no agent called {username}.")
        with self.engine.begin() as connection:
            connection.execute(
                update(agents_table)
                .where(agents_table.c.username == username)
                .values(password_hash=hash_password(password))
            )

    def _written(self, username: str) -> Agent:
        """The account just written (missing only if another process deleted it in between)."""
        agent = self.get(username)
        if agent is None:
            raise AgentError(f"There is no agent called {username}.")
        return agent

    def get(self, username: str) -> Optional[Agent]:
        with self.engine.connect() as connection:
            row = (
                connection.execute(select(agents_table).where(agents_table.c.username == username.strip().lower()))
                .mappings()
                .first()
            )
        return _agent(row) if row else None

    def all(self) -> List[Agent]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(agents_table).order_by(agents_table.c.username)).mappings().all()
        return [_agent(row) for row in rows]

    def authenticate(self, username: str, password: str) -> Optional[Agent]:
        """The agent, when the password is theirs and the account is enabled. An unknown username costs the
        same one hash verification (against a dummy hash with the same parameters) as a known one."""
        with self.engine.connect() as connection:
            row = (
                connection.execute(
                    select(agents_table).where(agents_table.c.username == (username or "").strip().lower())
                )
                .mappings()
                .first()
            )
        stored = row["password_hash"] if row is not None else _dummy_hash()
        matches, outdated = _check_password(password or "", stored)
        if row is None or not matches or row["disabled_at"] is not None:
            return None
        if outdated:
            self._rehash(row["username"], stored, password)
        return _agent(row)

    def _rehash(self, username: str, old_hash: str, password: str) -> None:
        """Replace an old scrypt hash, or an argon2 hash with outdated parameters, after a successful login.
        Only if it is still the hash just verified: a password changed meanwhile wins."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    update(agents_table)
                    .where(agents_table.c.username == username, agents_table.c.password_hash == old_hash)
                    .values(password_hash=hash_password(password))
                )
        except SQLAlchemyError as error:  # the login itself succeeded; the next one tries again
            logger.warning("Could not upgrade the password hash of %s: %s", username, type(error).__name__)

    def disable(self, username: str, now: Optional[datetime] = None) -> Agent:
        """The account can no longer log in or count as on duty (the caller ends its sessions)."""
        return self._set_disabled(username, to_stored_time(now or utc_now()))

    def enable(self, username: str) -> Agent:
        return self._set_disabled(username, None)

    def _set_disabled(self, username: str, disabled_at: Optional[datetime]) -> Agent:
        username = username.strip().lower()
        if not self.get(username):
            raise AgentError(f"There is no agent called {username}.")
        with self.engine.begin() as connection:
            connection.execute(
                update(agents_table).where(agents_table.c.username == username).values(disabled_at=disabled_at)
            )
        return self._written(username)

    def touch(self, username: str, now: Optional[datetime] = None) -> None:
        """Record that the agent is at the console now."""
        with self.engine.begin() as connection:
            connection.execute(
                update(agents_table)
                .where(agents_table.c.username == username.strip().lower())
                .values(last_seen_at=to_stored_time(now or utc_now()))
            )

    def online(self, now: Optional[datetime] = None, within: timedelta = ONLINE_WITHIN) -> List[Agent]:
        since = to_stored_time((now or utc_now()) - within)
        with self.engine.connect() as connection:
            rows = (
                connection.execute(
                    select(agents_table).where(
                        agents_table.c.role == Role.AGENT.value,
                        agents_table.c.last_seen_at >= since,
                        agents_table.c.disabled_at.is_(None),
                    )
                )
                .mappings()
                .all()
            )
        return [_agent(row) for row in rows]


def agent_on_duty(profile: StoreProfile, directory: AgentDirectory, now: Optional[datetime] = None) -> bool:
    """A live hand-over is possible: support hours are on and at least one agent is at the console."""
    now = now or utc_now()
    return profile.is_open(now) and bool(directory.online(now))


def _agent(row: Mapping[str, Any]) -> Agent:
    return Agent(
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        last_seen_at=from_stored_time(row["last_seen_at"]) if row["last_seen_at"] else None,
        disabled=row["disabled_at"] is not None,
    )
