"""How long a console session lasts and who may start one: idle expiry, the absolute lifetime however often the
console polls, throttled logins (per account and per client address, behind a trusted proxy or not), and disabled
accounts (issue 14)."""

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from test_console_support import Browser, ConsoleUnderTest, hidden_csrf, running_console

from console.sessions import SessionStore
from tests.unit.console_auth_helpers import session_rows

# These tests log in often: cheap password hashing for all of them (the conftest's cheap_password_hashing).
pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


def test_a_session_ends_after_its_idle_time(console: ConsoleUnderTest) -> None:
    browser = console.browser("alice")
    assert browser.get("/api/me").status_code == 200
    engine = create_engine(console.settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE console_sessions SET last_seen_at = :then"),
            {"then": datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=8, minutes=1)},
        )
    engine.dispose()
    assert browser.get("/api/me").status_code == 401
    assert browser.get("/").headers["Location"] == "/login"
    assert session_rows(console) == []


def test_session_store_idle_expiry_counts_from_the_last_request(tmp_path: Path) -> None:
    store = SessionStore(f"sqlite:///{tmp_path / 'care.db'}", idle=timedelta(hours=8), lifetime=timedelta(days=2))
    start = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
    token = store.start("alice", now=start)
    assert store.resume(token, now=start + timedelta(hours=7, minutes=59)) is not None
    assert store.resume(token, now=start + timedelta(hours=15, minutes=58)) is not None  # idle 7:59 again
    assert store.resume(token, now=start + timedelta(hours=24)) is None
    assert store.resume(token, now=start + timedelta(hours=24)) is None  # and it stays gone
    assert store.resume("", now=start) is None


# --- issue 14: throttling, absolute lifetime, disabled accounts ----------------------------------------------


def count_password_checks(console: ConsoleUnderTest) -> list:
    """Every call the login makes to check a password, recorded as (username,)."""
    agents = console.app.ctx.console.agents
    checks: list = []
    real = agents.authenticate

    def authenticate(username: str, password: str):  # type: ignore[no-untyped-def]
        checks.append((username,))
        return real(username, password)

    agents.authenticate = authenticate
    return checks


def test_login_is_throttled_after_repeated_failures(console: ConsoleUnderTest) -> None:
    checks = count_password_checks(console)
    browser = Browser(console.base_url)
    for _ in range(5):
        assert browser.login("alice", "wrong password!").status_code == 401

    refused = browser.login("alice")  # the right password, but after five failures in a row

    assert refused.status_code == 429
    assert re.search(r"Too many attempts; try again in \d+ minutes?\.", refused.text)
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert len(checks) == 5  # the sixth attempt was refused without checking the password
    assert "console_session=" not in refused.headers.get("Set-Cookie", "")
    assert session_rows(console) == []
    assert Browser(console.base_url).login("alice").status_code == 429  # the lock is the account's, not the tab's
    console.add_agent("bob", "Bob")
    assert Browser(console.base_url).login("bob").status_code == 303  # other agents still get in


def test_login_is_throttled_per_client_address(tmp_path: Path) -> None:
    with running_console(tmp_path, login_failures_per_address=4) as running:
        running.add_agent("alice", "Alice Agent")
        browser = Browser(running.base_url)
        for name in ("ann", "ben", "cat", "dan"):  # a different username each time: only the address repeats
            assert browser.login(name, "guess").status_code == 401
        refused = browser.login("alice")
        assert refused.status_code == 429 and "Too many attempts" in refused.text


def test_forwarded_for_is_ignored_unless_the_console_is_behind_a_trusted_proxy(tmp_path: Path) -> None:
    def attempt(browser: Browser, username: str, forwarded_for: str) -> int:
        token = hidden_csrf(browser.get("/login").text)
        return browser.post(
            "/login",
            headers={"X-Forwarded-For": forwarded_for},
            data={"username": username, "password": "guess", "csrf_token": token},
        ).status_code

    with running_console(tmp_path, login_failures_per_address=2) as running:
        browser = Browser(running.base_url)
        assert attempt(browser, "ann", "203.0.113.1") == 401
        assert attempt(browser, "ben", "203.0.113.2") == 401
        assert attempt(browser, "cat", "203.0.113.3") == 429  # a made-up header does not escape the limit

    with running_console(tmp_path / "proxied", login_failures_per_address=2, trusted_proxies=1) as running:
        browser = Browser(running.base_url)
        assert attempt(browser, "ann", "203.0.113.1") == 401
        assert attempt(browser, "ben", "203.0.113.1") == 401
        assert attempt(browser, "cat", "203.0.113.1") == 429
        assert attempt(browser, "dan", "203.0.113.2") == 401  # another client behind the same proxy
        # Only the address our proxy appended counts: one the client put in front of it is ignored.
        assert attempt(browser, "eve", "198.51.100.7, 203.0.113.1") == 429


def test_session_ends_after_its_absolute_lifetime_despite_polling(tmp_path: Path) -> None:
    store = SessionStore(f"sqlite:///{tmp_path / 'care.db'}", idle=timedelta(hours=8))  # the default lifetime
    start = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
    token = store.start("alice", now=start)
    moment = start
    while moment < start + timedelta(hours=11, minutes=55):  # the console polls every few seconds all day
        moment += timedelta(minutes=5)
        assert store.resume(token, now=moment) is not None, moment
    assert store.resume(token, now=start + timedelta(hours=12, seconds=1)) is None
    assert store.resume(token, now=start + timedelta(hours=12, minutes=1)) is None  # and it stays gone


def test_a_polled_session_is_refused_at_its_absolute_lifetime(console: ConsoleUnderTest) -> None:
    browser = console.browser("alice")
    engine = create_engine(console.settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE console_sessions SET created_at = :then"),
            {"then": datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=12, minutes=1)},
        )
    engine.dispose()
    assert browser.get("/api/me").status_code == 401  # although it was used a moment ago
    assert session_rows(console) == []


def test_the_absolute_lifetime_is_a_setting(tmp_path: Path) -> None:
    with running_console(tmp_path, session_max_hours=1.0) as running:
        running.add_agent()
        browser = running.browser("alice")
        engine = create_engine(running.settings.database_url)
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE console_sessions SET created_at = :then"),
                {"then": datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=61)},
            )
        engine.dispose()
        assert browser.get("/api/me").status_code == 401


def test_disabled_agent_cannot_log_in(console: ConsoleUnderTest) -> None:
    browser = console.browser("alice")
    assert browser.get("/api/me").status_code == 200

    console.agents.disable("alice")

    assert browser.get("/api/me").status_code == 401  # the open session ends at once
    assert session_rows(console) == []
    again = Browser(console.base_url).login("alice")
    assert again.status_code == 401 and "Wrong username or password." in again.text  # nothing more is told
    console.agents.enable("alice")
    assert Browser(console.base_url).login("alice").status_code == 303
