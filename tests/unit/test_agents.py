from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher

from customer_care.agents import (
    ONLINE_WITHIN,
    AgentDirectory,
    AgentError,
    Role,
    agent_on_duty,
    agents_table,
    hash_password,
    verify_password,
)
from customer_care.profile import StoreProfile, load_profile

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "correct horse battery"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)  # a Tuesday, 13:00 in Berlin

# store_profile.yml: Europe/Berlin, Monday-Friday 08:00-20:00, Saturday 09:00-16:00.
OPEN_MOMENTS = [
    datetime(2026, 3, 10, 13, 0, tzinfo=BERLIN),  # Tuesday afternoon
    datetime(2026, 3, 9, 8, 0, tzinfo=BERLIN),  # Monday, the minute support opens
    datetime(2026, 3, 13, 19, 59, tzinfo=BERLIN),  # Friday, the last minute
    datetime(2026, 3, 14, 9, 0, tzinfo=BERLIN),  # Saturday opening
    datetime(2026, 3, 14, 15, 59, tzinfo=BERLIN),  # Saturday, the last minute
    datetime(2026, 7, 7, 6, 30, tzinfo=timezone.utc),  # Tuesday 08:30 in Berlin (summer time, UTC+2)
]
CLOSED_MOMENTS = [
    datetime(2026, 3, 10, 7, 59, tzinfo=BERLIN),  # Tuesday, before opening
    datetime(2026, 3, 10, 20, 0, tzinfo=BERLIN),  # Tuesday, the minute support closes
    datetime(2026, 3, 10, 23, 30, tzinfo=BERLIN),  # Tuesday night
    datetime(2026, 3, 14, 8, 59, tzinfo=BERLIN),  # Saturday, opens later than on weekdays
    datetime(2026, 3, 14, 16, 0, tzinfo=BERLIN),  # Saturday, closes earlier
    datetime(2026, 3, 15, 12, 0, tzinfo=BERLIN),  # Sunday noon
    datetime(2026, 1, 13, 6, 30, tzinfo=timezone.utc),  # Tuesday 07:30 in Berlin (winter time, UTC+1)
    datetime(2026, 3, 10, 19, 30, tzinfo=timezone.utc),  # Tuesday 20:30 in Berlin, though 19:30 in UTC
]


@pytest.fixture
def directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AgentDirectory:
    # Cheap argon2 for the directory tests (the cost is stored in each hash); the password tests keep the real one.
    monkeypatch.setattr("customer_care.agents.PASSWORD_HASHER", CHEAP_HASHER)
    return AgentDirectory(f"sqlite:///{tmp_path / 'care.db'}")


@pytest.fixture(scope="module")
def shop() -> StoreProfile:
    return load_profile()


# --- passwords -----------------------------------------------------------------------------------------------


def test_hash_password_is_salted_and_differs_every_time() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)

    assert first != second
    assert PASSWORD not in first
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # the cost stored with the hash is the real one
    assert first.split("$")[4] != second.split("$")[4]  # the salts differ
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)


def test_verify_password_accepts_the_right_and_refuses_a_wrong_password() -> None:
    stored = hash_password(PASSWORD)

    assert verify_password(PASSWORD, stored) is True
    assert verify_password(PASSWORD + "!", stored) is False
    assert verify_password(PASSWORD.upper(), stored) is False
    assert verify_password("", stored) is False


def test_verify_password_refuses_a_tampered_digest() -> None:
    stored = hash_password(PASSWORD)
    last = stored[-1]
    tampered = stored[:-1] + ("0" if last != "0" else "1")

    assert verify_password(PASSWORD, tampered) is False


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        PASSWORD,
        "scrypt$",
        "scrypt$16384$8$1$salt",  # a field missing
        "scrypt$16384$8$1$abcd$ef01$extra",  # a field too many
        "bcrypt$16384$8$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # another scheme
        "scrypt$many$8$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # n not a number
        "scrypt$16384$8$1$not-hex$" + "00" * 32,  # salt not hex
        "scrypt$16384$8$1$00112233445566778899aabbccddeeff$",  # empty digest
        "scrypt$1000$8$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # n not a power of two
        "scrypt$1073741824$8$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # n far over the memory limit
        "$argon2id$",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ",  # no digest
        "$argon2id$v=19$m=65536,t=3,p=4$!!!$!!!",  # not base64
        "$argon2x$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$" + "A" * 43,  # no such variant
    ],
)
def test_verify_password_refuses_garbage_stored_strings_without_raising(
    stored: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("customer_care.agents.PASSWORD_HASHER", CHEAP_HASHER)  # garbage costs a dummy verification
    assert verify_password(PASSWORD, stored) is False


# --- adding accounts -----------------------------------------------------------------------------------------


def test_add_creates_an_agent_that_can_log_in(directory: AgentDirectory) -> None:
    agent = directory.add("sam", "  Sam Doe  ", PASSWORD)

    assert (agent.username, agent.display_name, agent.role, agent.last_seen_at) == ("sam", "Sam Doe", "agent", None)
    assert directory.get("sam") == agent
    assert directory.all() == [agent]
    assert directory.authenticate("sam", PASSWORD) == agent


def test_add_lowercases_and_strips_usernames(directory: AgentDirectory) -> None:
    agent = directory.add("  Sam.Doe_2 ", "Sam", PASSWORD)

    assert agent.username == "sam.doe_2"
    assert directory.get("SAM.DOE_2") == agent
    assert directory.authenticate(" Sam.Doe_2", PASSWORD) == agent


def test_add_trainer(directory: AgentDirectory) -> None:
    assert directory.add("tess", "Tess", PASSWORD, role="trainer").role == "trainer"


def test_roles_are_an_enum_stored_as_their_plain_names(directory: AgentDirectory) -> None:
    """Databases written before the enum hold "agent" and "trainer"; they still do, and read back as members."""
    tess = directory.add("tess", "Tess", PASSWORD, role=Role.TRAINER)
    assert tess.role is Role.TRAINER and directory.add("sam", "Sam", PASSWORD).role is Role.AGENT
    assert (str(tess.role), f"{tess.role:<8}|") == ("trainer", "trainer |")  # as the CLI and the pages show it
    with directory.engine.connect() as connection:
        stored = connection.execute(agents_table.select().order_by(agents_table.c.username)).mappings().all()
    assert [(type(row["role"]), row["role"]) for row in stored] == [(str, "agent"), (str, "trainer")]


@pytest.mark.parametrize("username", ["", "s", "-sam", ".sam", "sam doe", "sam@shop", "såm", "x" * 51, "sam/../x"])
def test_add_refuses_usernames_outside_the_pattern(directory: AgentDirectory, username: str) -> None:
    with pytest.raises(AgentError, match="username"):
        directory.add(username, "Sam", PASSWORD)
    assert directory.all() == []


def test_add_accepts_usernames_at_the_length_limits(directory: AgentDirectory) -> None:
    assert directory.add("ab", "Short", PASSWORD).username == "ab"
    assert directory.add("a" * 50, "Long", PASSWORD).username == "a" * 50


@pytest.mark.parametrize("display_name", ["", "   ", "\t\n"])
def test_add_refuses_an_empty_display_name(directory: AgentDirectory, display_name: str) -> None:
    with pytest.raises(AgentError, match="display name"):
        directory.add("sam", display_name, PASSWORD)
    assert directory.get("sam") is None


def test_add_refuses_a_short_password(directory: AgentDirectory) -> None:
    with pytest.raises(AgentError, match="at least 10"):
        directory.add("sam", "Sam", "123456789")
    assert directory.get("sam") is None
    assert directory.add("sam", "Sam", "1234567890").username == "sam"  # ten is enough


@pytest.mark.parametrize("role", ["admin", "Agent", "", "agents"])
def test_add_refuses_an_unknown_role(directory: AgentDirectory, role: str) -> None:
    with pytest.raises(AgentError, match="role"):
        directory.add("sam", "Sam", PASSWORD, role=role)
    assert directory.get("sam") is None


@pytest.mark.parametrize("again", ["sam", "SAM", " Sam "])
def test_add_refuses_duplicates(directory: AgentDirectory, again: str) -> None:
    directory.add("sam", "Sam", PASSWORD)

    with pytest.raises(AgentError, match="already"):
        directory.add(again, "Another Sam", "another password")
    assert [agent.display_name for agent in directory.all()] == ["Sam"]
    assert directory.authenticate("sam", PASSWORD) is not None


def test_agent_error_is_a_value_error() -> None:
    assert issubclass(AgentError, ValueError)


def test_all_lists_agents_by_username(directory: AgentDirectory) -> None:
    for name in ("zoe", "amy", "max"):
        directory.add(name, name.title(), PASSWORD)

    assert [agent.username for agent in directory.all()] == ["amy", "max", "zoe"]


# --- logging in ----------------------------------------------------------------------------------------------


def test_authenticate_refuses_a_wrong_password_and_an_unknown_user(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)

    assert directory.authenticate("sam", "wrong password") is None
    assert directory.authenticate("sam", "") is None
    assert directory.authenticate("nobody", PASSWORD) is None
    assert directory.authenticate("", PASSWORD) is None


def test_set_password_changes_it(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)

    directory.set_password("sam", "a brand new secret")

    assert directory.authenticate("sam", "a brand new secret") is not None
    assert directory.authenticate("sam", PASSWORD) is None


def test_set_password_refuses_a_short_password_and_an_unknown_agent(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)

    with pytest.raises(AgentError, match="at least"):
        directory.set_password("sam", "short")
    with pytest.raises(AgentError, match="nobody"):
        directory.set_password("nobody", "a long enough password")
    assert directory.authenticate("sam", PASSWORD) is not None


def test_set_password_with_the_username_typed_in_another_case_changes_it(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)

    directory.set_password("Sam", "a brand new secret")

    assert directory.authenticate("sam", "a brand new secret") is not None


# --- who is online -------------------------------------------------------------------------------------------


def test_touch_records_last_seen_as_aware_utc(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    seen = datetime(2026, 3, 10, 13, 0, tzinfo=BERLIN)

    directory.touch("sam", seen)

    last_seen = directory.get("sam").last_seen_at  # type: ignore[union-attr]
    assert last_seen == seen
    assert last_seen.tzinfo == timezone.utc and last_seen.hour == 12


def test_nobody_is_online_before_touching(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    assert directory.online(NOW) == []


@pytest.mark.parametrize(
    "ago, online",
    [
        (timedelta(0), True),
        (timedelta(seconds=45), True),
        (ONLINE_WITHIN, True),  # the window includes its edge
        (ONLINE_WITHIN + timedelta(seconds=1), False),
        (timedelta(minutes=10), False),
    ],
)
def test_an_agent_is_online_within_the_window(directory: AgentDirectory, ago: timedelta, online: bool) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", NOW - ago)

    assert [agent.username for agent in directory.online(NOW)] == (["sam"] if online else [])


def test_online_window_is_ninety_seconds(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", NOW - timedelta(seconds=89))
    assert directory.online(NOW) != []
    assert directory.online(NOW + timedelta(seconds=2)) == []


def test_a_later_touch_keeps_an_agent_online(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", NOW - timedelta(minutes=5))
    assert directory.online(NOW) == []

    directory.touch("sam", NOW - timedelta(seconds=3))

    assert [agent.username for agent in directory.online(NOW)] == ["sam"]


def test_online_lists_only_the_agents_seen_recently(directory: AgentDirectory) -> None:
    for name in ("amy", "bob", "cat"):
        directory.add(name, name.title(), PASSWORD)
    directory.touch("amy", NOW - timedelta(seconds=10))
    directory.touch("cat", NOW - timedelta(hours=1))

    assert [agent.username for agent in directory.online(NOW)] == ["amy"]


def test_online_takes_a_custom_window(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", NOW - timedelta(minutes=5))

    assert directory.online(NOW, within=timedelta(minutes=10)) != []
    assert directory.online(NOW, within=timedelta(minutes=1)) == []


def test_trainers_never_count_as_online_agents(directory: AgentDirectory) -> None:
    directory.add("tess", "Tess", PASSWORD, role="trainer")
    directory.touch("tess", NOW)

    assert directory.online(NOW) == []
    assert directory.get("tess").last_seen_at == NOW  # type: ignore[union-attr]


def test_touching_an_unknown_user_changes_nothing(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("nobody", NOW)
    assert directory.online(NOW) == []


# --- on duty -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("now", OPEN_MOMENTS, ids=lambda moment: moment.isoformat())
def test_on_duty_within_opening_hours_with_an_agent_online(
    directory: AgentDirectory, shop: StoreProfile, now: datetime
) -> None:
    directory.add("sam", "Sam", PASSWORD)
    assert agent_on_duty(shop, directory, now) is False  # open, but nobody at the console

    directory.touch("sam", now - timedelta(seconds=30))

    assert agent_on_duty(shop, directory, now) is True


@pytest.mark.parametrize("now", CLOSED_MOMENTS, ids=lambda moment: moment.isoformat())
def test_not_on_duty_outside_opening_hours_even_with_an_agent_online(
    directory: AgentDirectory, shop: StoreProfile, now: datetime
) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", now)

    assert directory.online(now) != []
    assert agent_on_duty(shop, directory, now) is False


def test_not_on_duty_when_only_a_trainer_is_online(directory: AgentDirectory, shop: StoreProfile) -> None:
    now = OPEN_MOMENTS[0]
    directory.add("tess", "Tess", PASSWORD, role="trainer")
    directory.touch("tess", now)

    assert agent_on_duty(shop, directory, now) is False


def test_not_on_duty_when_the_agent_left_the_console(directory: AgentDirectory, shop: StoreProfile) -> None:
    now = OPEN_MOMENTS[0]
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", now - timedelta(minutes=2))

    assert agent_on_duty(shop, directory, now) is False


def test_the_profile_has_the_hours_these_tests_assume(shop: StoreProfile) -> None:
    assert shop.timezone == "Europe/Berlin"
    assert shop.describe_opening_hours() == "Monday to Friday 08:00-20:00; Saturday 09:00-16:00"


# --- issue 14: argon2id, equal work for unknown users, rehashing, disabled accounts ----------------------------


class HashWork:
    """Counts every password-hash computation (scrypt runs and argon2 hashes and verifications) and the cost
    parameters each one used."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import hashlib

        import argon2

        self.calls: list = []
        real_scrypt = hashlib.scrypt
        real_verify, real_hash = argon2.PasswordHasher.verify, argon2.PasswordHasher.hash

        def scrypt(password, *, salt, n, r, p, maxmem=0, dklen=64):  # type: ignore[no-untyped-def]
            self.calls.append(("scrypt", n, r, p))
            return real_scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

        def verify(hasher, stored, password):  # type: ignore[no-untyped-def]
            parameters = argon2.extract_parameters(stored)
            self.calls.append(
                (
                    "argon2 verify",
                    parameters.type,
                    parameters.time_cost,
                    parameters.memory_cost,
                    parameters.parallelism,
                    parameters.hash_len,
                    parameters.salt_len,
                )
            )
            return real_verify(hasher, stored, password)

        def hash_(hasher, password, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls.append(("argon2 hash",))
            return real_hash(hasher, password, *args, **kwargs)

        monkeypatch.setattr(hashlib, "scrypt", scrypt)
        monkeypatch.setattr(argon2.PasswordHasher, "verify", verify)
        monkeypatch.setattr(argon2.PasswordHasher, "hash", hash_)

    def during(self, action) -> list:  # type: ignore[no-untyped-def]
        self.calls.clear()
        action()
        return list(self.calls)


def test_unknown_user_costs_the_same_hash_work(directory: AgentDirectory, monkeypatch: pytest.MonkeyPatch) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.authenticate("nobody", "warm-up")  # a dummy hash may be made once per process, not per login
    work = HashWork(monkeypatch)

    known = work.during(lambda: directory.authenticate("sam", "wrong password"))
    unknown = work.during(lambda: directory.authenticate("nobody", "wrong password"))
    empty = work.during(lambda: directory.authenticate("", ""))

    assert len(known) == 1, known  # exactly one hash verification each, with the same cost parameters
    assert unknown == known
    assert empty == known


def test_passwords_are_argon2id_with_the_library_defaults() -> None:
    import argon2

    stored = hash_password(PASSWORD)

    parameters = argon2.extract_parameters(stored)
    assert parameters.type is argon2.Type.ID
    defaults = argon2.PasswordHasher()
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        defaults.time_cost,
        defaults.memory_cost,
        defaults.parallelism,
    )
    assert verify_password(PASSWORD, stored) and not verify_password(PASSWORD + "x", stored)


def test_old_scrypt_hashes_verify_once_then_are_replaced_by_argon2(directory: AgentDirectory) -> None:
    import hashlib
    import secrets

    from sqlalchemy import select, update

    from customer_care.agents import agents_table

    directory.add("sam", "Sam", PASSWORD)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"  # what the console stored before issue 14
    with directory.engine.begin() as connection:
        connection.execute(update(agents_table).values(password_hash=old))

    def stored() -> str:
        with directory.engine.connect() as connection:
            return connection.execute(select(agents_table.c.password_hash)).scalar_one()

    assert directory.authenticate("sam", "wrong password") is None
    assert stored() == old  # a failed login changes nothing
    assert directory.authenticate("sam", PASSWORD) is not None
    assert stored().startswith("$argon2id$")
    assert directory.authenticate("sam", PASSWORD) is not None  # the new hash works


def test_a_hash_with_outdated_argon2_parameters_is_rehashed_on_login(
    directory: AgentDirectory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argon2
    from sqlalchemy import select

    from customer_care.agents import agents_table

    directory.add("sam", "Sam", PASSWORD)
    with directory.engine.connect() as connection:
        before = connection.execute(select(agents_table.c.password_hash)).scalar_one()
    monkeypatch.setattr(
        "customer_care.agents.PASSWORD_HASHER", argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    )

    assert directory.authenticate("sam", PASSWORD) is not None

    with directory.engine.connect() as connection:
        after = connection.execute(select(agents_table.c.password_hash)).scalar_one()
    assert after != before and argon2.extract_parameters(after).time_cost == 2


def test_disabled_agent_cannot_log_in_and_is_never_on_duty(directory: AgentDirectory, shop: StoreProfile) -> None:
    directory.add("sam", "Sam", PASSWORD)
    directory.touch("sam", OPEN_MOMENTS[0])

    directory.disable("Sam")

    assert directory.get("sam").disabled  # type: ignore[union-attr]
    assert directory.authenticate("sam", PASSWORD) is None
    assert directory.online(OPEN_MOMENTS[0]) == []
    assert agent_on_duty(shop, directory, OPEN_MOMENTS[0]) is False
    directory.enable("sam")
    assert not directory.get("sam").disabled  # type: ignore[union-attr]
    assert directory.authenticate("sam", PASSWORD) is not None
    with pytest.raises(AgentError, match="nobody"):
        directory.disable("nobody")


def test_an_agents_table_from_before_issue_14_gains_the_disabled_column(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE agents (id INTEGER PRIMARY KEY, username VARCHAR(50) NOT NULL UNIQUE, "
                "display_name VARCHAR(100) NOT NULL, role VARCHAR(20) NOT NULL, password_hash VARCHAR(255) NOT NULL, "
                "created_at DATETIME NOT NULL, last_seen_at DATETIME)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO agents (username, display_name, role, password_hash, created_at) "
                "VALUES ('old', 'Old Timer', 'agent', 'scrypt$x', '2025-01-01 00:00:00')"
            )
        )
    engine.dispose()

    directory = AgentDirectory(url)

    agent = directory.get("old")
    assert agent is not None and not agent.disabled
    directory.disable("old")
    assert directory.get("old").disabled  # type: ignore[union-attr]
