"""Who gets in: the session gate on every route, login, logout, idle expiry, CSRF, cookies, headers, presence."""

import hashlib
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
import requests
from sqlalchemy import create_engine, text
from test_console_support import PASSWORD, Browser, ConsoleUnderTest, hidden_csrf, running_console

from console.auth import require_session
from console.sessions import SessionStore

# Public on purpose: the login page, static files, and the demo shop page with the widget (no customer data).
PUBLIC_ROUTES = {"login_form", "login", "static", "shop_page", "shop_widget", "shop_files"}


@pytest.fixture
def console(tmp_path: Path) -> Iterator[ConsoleUnderTest]:
    with running_console(tmp_path) as running:
        running.add_agent("alice", "Alice Agent")
        running.open_ticket()
        yield running


def session_rows(console: ConsoleUnderTest) -> list:
    engine = create_engine(console.settings.database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM console_sessions")).mappings().all()
    engine.dispose()
    return [dict(row) for row in rows]


def test_no_route_but_login_and_static_answers_without_a_session(console: ConsoleUnderTest) -> None:
    anonymous = Browser(console.base_url)
    checked = set()
    for route in console.app.router.routes:
        name = route.name.rsplit(".", 1)[-1]
        if name in PUBLIC_ROUTES:
            continue
        path = re.sub(r"<[^>]+>", "1", route.uri)  # ticket 1 exists, so only the gate stands in the way
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            response = anonymous.http.request(
                method, anonymous.url(path), allow_redirects=False, timeout=10, json={"text": "hi", "outcome": "done"}
            )
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path)
                assert response.headers["Content-Type"].startswith("application/json")
                assert "not logged in" in response.json()["error"]
            else:
                assert response.status_code == 303, (method, path)
                assert response.headers["Location"] == "/login"
            assert "Dana" not in response.text and "damaged" not in response.text
            checked.add(f"{method} {path}")
    assert {
        "GET /",
        "GET /tickets/1",
        "GET /issues",
        "POST /logout",
        "GET /api/me",
        "GET /api/tickets",
        "GET /api/tickets/1",
        "GET /api/tickets/1/transcript",
        "POST /api/tickets/1/claim",
        "POST /api/tickets/1/reply",
        "POST /api/tickets/1/hand-back",
        "POST /api/tickets/1/resolve",
        "GET /api/issues",
    } <= checked
    assert console.rasa.calls == []
    assert console.tickets.get(1).status == "waiting"


def test_the_blueprint_decides_what_is_public(console: ConsoleUnderTest) -> None:
    """The session gate is the `console` blueprint's middleware: it runs on each of its routes and on no other."""
    by_blueprint: dict = {}
    for route in console.app.router.routes:
        _app, blueprint, name = route.name.split(".")
        by_blueprint.setdefault(blueprint, set()).add(name)
    assert set(by_blueprint) == {"login", "shop", "console"}
    assert by_blueprint["login"] | by_blueprint["shop"] == PUBLIC_ROUTES
    gated = {
        name.rsplit(".", 1)[-1]
        for name, middleware in console.app.named_request_middleware.items()
        if require_session in middleware
    }
    assert gated == by_blueprint["console"]


def test_an_unknown_url_or_method_reveals_nothing_without_a_session(console: ConsoleUnderTest) -> None:
    """No route, no blueprint middleware: the app's own gate answers such requests as the console's routes."""
    anonymous = Browser(console.base_url)
    assert anonymous.get("/no-such-page").headers["Location"] == "/login"
    assert anonymous.get("/api/no-such-thing").status_code == 401
    assert anonymous.http.delete(anonymous.url("/api/tickets/1"), timeout=10).status_code == 401  # a wrong method
    alice = console.browser("alice")
    missing = alice.get("/no-such-page")
    assert missing.status_code == 404 and "Alice Agent" in missing.text  # the error page shows who is logged in
    wrong_method = alice.http.delete(
        alice.url("/api/tickets/1"), headers={"X-CSRF-Token": alice.csrf_token or ""}, timeout=10
    )
    assert wrong_method.status_code == 405


def test_a_made_up_session_cookie_is_no_session(console: ConsoleUnderTest) -> None:
    browser = Browser(console.base_url)
    browser.http.cookies.set("console_session", "x" * 43)
    assert browser.get("/api/tickets").status_code == 401
    assert browser.get("/").headers["Location"] == "/login"


def test_login_page_and_static_files_are_public(console: ConsoleUnderTest) -> None:
    anonymous = Browser(console.base_url)
    page = anonymous.get("/login")
    assert page.status_code == 200
    assert '<label for="username">' in page.text and '<label for="password">' in page.text
    for name in ("console.css", "poll.js", "queue.js", "ticket.js"):
        assert anonymous.get(f"/static/{name}").status_code == 200


@pytest.mark.parametrize("username, password", [("alice", "wrong password!"), ("nobody", PASSWORD), ("", "")])
def test_wrong_username_or_password_gets_one_generic_401(
    console: ConsoleUnderTest, username: str, password: str
) -> None:
    browser = Browser(console.base_url)
    response = browser.login(username, password)
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert "console_session=" not in response.headers.get("Set-Cookie", "")
    assert browser.get("/api/me").status_code == 401


def test_login_sets_a_strict_http_only_cookie_and_stores_only_its_hash(console: ConsoleUnderTest) -> None:
    browser = Browser(console.base_url)
    response = browser.login("alice")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    set_cookie = response.headers["Set-Cookie"]
    session_cookie = next(part for part in set_cookie.split(", console_") if part.startswith("console_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Strict" in session_cookie and "Path=/" in session_cookie
    assert "Secure" not in session_cookie  # off by default for the localhost demo
    token = browser.http.cookies["console_session"]
    rows = session_rows(console)
    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(rows[0].values())
    assert browser.get("/api/me").json() == {
        "username": "alice",
        "display_name": "Alice Agent",
        "role": "agent",
        "can_act": True,
    }


def test_secure_cookies_setting_marks_the_cookie_secure(tmp_path: Path) -> None:
    with running_console(tmp_path, secure_cookies=True) as running:
        running.add_agent()
        browser = Browser(running.base_url)
        form = browser.get("/login")
        assert "Secure" in form.headers["Set-Cookie"]
        token = hidden_csrf(form.text)
        # requests keeps Secure cookies off plain http, so send the double-submit cookie by hand.
        response = requests.post(
            browser.url("/login"),
            allow_redirects=False,
            timeout=10,
            data={"username": "alice", "password": PASSWORD, "csrf_token": token},
            cookies={"console_login_csrf": token},
        )
        assert response.status_code == 303
        assert "Secure" in response.headers["Set-Cookie"]


def test_login_needs_the_double_submit_cookie(console: ConsoleUnderTest) -> None:
    token = hidden_csrf(Browser(console.base_url).get("/login").text)
    without_cookie = requests.post(
        console.base_url + "/login",
        allow_redirects=False,
        timeout=10,
        data={"username": "alice", "password": PASSWORD, "csrf_token": token},
    )
    assert without_cookie.status_code == 403
    browser = Browser(console.base_url)
    browser.get("/login")  # sets the cookie
    wrong_field = browser.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert wrong_field.status_code == 403
    no_field = browser.post("/login", data={"username": "alice", "password": PASSWORD})
    assert no_field.status_code == 403
    assert session_rows(console) == []


def test_posts_need_the_sessions_csrf_token(console: ConsoleUnderTest) -> None:
    browser = console.browser("alice")
    assert browser.post("/api/tickets/1/claim", json={}).status_code == 403
    assert browser.api_post("/api/tickets/1/claim", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert browser.post("/api/tickets/1/claim", data={"csrf_token": "wrong"}).status_code == 403
    assert browser.post("/api/tickets/1/reply", data={"text": "hi"}).status_code == 403
    assert browser.post("/logout").status_code == 403
    assert console.tickets.get(1).status == "waiting" and console.rasa.actions() == []
    assert browser.get("/api/me").status_code == 200  # the refused logout did not log out

    # Another agent's token is no good either: tokens belong to sessions.
    console.add_agent("bob", "Bob")
    other = console.browser("bob")
    assert browser.api_post("/api/tickets/1/claim", headers={"X-CSRF-Token": other.csrf_token}).status_code == 403

    assert browser.api_post("/api/tickets/1/claim").status_code == 200
    assert console.tickets.get(1).assigned_agent == "alice"


def test_a_csrf_refusal_of_a_form_is_a_page(console: ConsoleUnderTest) -> None:
    response = console.browser("alice").post("/api/tickets/1/claim", data={"csrf_token": "stale"})
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Reload the page" in response.text


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


def test_logout_deletes_the_session(console: ConsoleUnderTest) -> None:
    browser = console.browser("alice")
    token = browser.http.cookies["console_session"]
    response = browser.post("/logout", data={"csrf_token": browser.csrf_token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "console_session=" in response.headers["Set-Cookie"] and "Max-Age=0" in response.headers["Set-Cookie"]
    assert session_rows(console) == []
    replay = Browser(console.base_url)
    replay.http.cookies.set("console_session", token)
    assert replay.get("/api/me").status_code == 401


def test_a_new_login_replaces_the_old_session(console: ConsoleUnderTest) -> None:
    browser = console.browser("alice")
    old = browser.http.cookies["console_session"]
    assert browser.login("alice").status_code == 303
    assert browser.http.cookies["console_session"] != old
    assert len(session_rows(console)) == 1


def test_security_headers_everywhere(console: ConsoleUnderTest) -> None:
    browser = console.browser("alice")
    for response in (
        browser.get("/"),
        browser.get("/tickets/1"),
        browser.get("/api/tickets"),
        browser.get("/issues"),
        Browser(console.base_url).get("/login"),
        browser.get("/static/poll.js"),
        browser.get("/no/such/page"),
    ):
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(console: ConsoleUnderTest) -> None:
    browser = console.browser("alice")
    for path in ("/", "/tickets/1", "/issues", "/login"):
        html = browser.get(path).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert re.fullmatch(r'<script type="module" src="/static/[a-z]+\.js">', tag), tag
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", html), path  # no event-handler attributes
        assert " style=" not in html


def test_every_authenticated_request_marks_the_agent_online(console: ConsoleUnderTest) -> None:
    browser = console.browser("alice")
    console.agents.touch("alice", now=datetime.now(timezone.utc) - timedelta(hours=1))
    assert console.agents.online() == []
    assert browser.get("/api/tickets").status_code == 200
    assert [agent.username for agent in console.agents.online()] == ["alice"]
    seen = console.agents.get("alice").last_seen_at
    assert seen is not None and datetime.now(timezone.utc) - seen < timedelta(seconds=30)


def test_an_anonymous_request_marks_no_one_online(console: ConsoleUnderTest) -> None:
    Browser(console.base_url).get("/api/tickets")
    Browser(console.base_url).login("alice", "wrong password!")
    assert console.agents.online() == []


# --- issue 14: throttling, absolute lifetime, disabled accounts ----------------------------------------------


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests log in often; the cost parameters are stored in each hash, so cheap ones change nothing else."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        "customer_care.agents.PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


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
