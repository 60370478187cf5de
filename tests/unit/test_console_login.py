"""Logging in and out of the console: one generic refusal, a strict cookie whose token only the database's hash
knows, CSRF (the login's double-submit cookie, each session's own token), logout, and who is online."""

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from test_console_support import PASSWORD, Browser, ConsoleUnderTest, hidden_csrf, running_console

from tests.unit.console_auth_helpers import session_rows

# These tests log in often: cheap password hashing for all of them (the conftest's cheap_password_hashing).
pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


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
