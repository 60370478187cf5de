"""The console's session gate: no route but the public ones answers without a session, whatever the URL, method
or cookie; the security headers on every page, and no inline script."""

import re

import pytest
from test_console_support import Browser, ConsoleUnderTest

from console.auth import require_session

# These tests log in often: cheap password hashing for all of them (the conftest's cheap_password_hashing).
pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

# Public on purpose: the login page, static files, and the demo shop page with the widget (no customer data).
PUBLIC_ROUTES = {"login_form", "login", "static", "shop_page", "shop_widget", "shop_files"}


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
