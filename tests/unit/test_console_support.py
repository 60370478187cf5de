"""Shared pieces of the console tests (no tests here): a fake Rasa, the app served on a free loopback port in
a background thread, and a logged-in browser built on `requests`.

Sanic 21.12 has no test client, so the tests talk HTTP to a real server, as a browser would.
"""

import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import requests
from sanic import Sanic
from sanic_serving import free_socket, serving  # noqa: F401 (the console tests import them from here)

from console.app import create_app
from console.rasa_api import RasaUnavailable, TranscriptLine
from console.settings import ConsoleSettings
from customer_care.agents import AgentDirectory
from customer_care.tickets import NewTicket, Ticket, TicketStore

PASSWORD = "correct horse battery"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"


class FakeRasa:
    """Stands in for `RasaClient`: records each call, serves `lines` as the transcript, fails on demand."""

    def __init__(self) -> None:
        self.calls: List[Tuple[Any, ...]] = []
        self.lines: List[TranscriptLine] = []
        self.failure: Optional[str] = None
        self.closed = False

    async def transcript(self, conversation_id: str) -> List[TranscriptLine]:
        self._record("transcript", conversation_id)
        return list(self.lines)

    async def send_agent_message(self, conversation_id: str, agent_name: str, text: str) -> None:
        self._record("send_agent_message", conversation_id, agent_name, text)

    async def resume(self, conversation_id: str) -> None:
        self._record("resume", conversation_id)

    async def hand_back(self, conversation_id: str) -> None:
        self._record("hand_back", conversation_id)

    async def close(self) -> None:
        self.closed = True

    def actions(self) -> List[Tuple[Any, ...]]:
        """The calls that change something (everything but reading transcripts)."""
        return [call for call in self.calls if call[0] != "transcript"]

    def _record(self, *call: Any) -> None:
        self.calls.append(call)
        if self.failure:
            raise RasaUnavailable(self.failure)


def settings_for(tmp_path: Path, **overrides: Any) -> ConsoleSettings:
    values: Dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'care.db'}",
        "rasa_url": "http://rasa.invalid",
        "rasa_api_token": "test-token",
        "events_url": f"sqlite:///{tmp_path / 'events.db'}",
    }
    values.update(overrides)
    return ConsoleSettings(**values)


class Browser:
    """A `requests` session against the console that logs in like a person does."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.csrf_token: Optional[str] = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url(path), allow_redirects=False, timeout=10, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(self.url(path), allow_redirects=False, timeout=10, **kwargs)

    def login(self, username: str, password: str = PASSWORD) -> requests.Response:
        form = self.get("/login")
        token = hidden_csrf(form.text)
        response = self.post("/login", data={"username": username, "password": password, "csrf_token": token})
        if response.status_code == 303:
            self.csrf_token = meta_csrf(self.get("/").text)
        return response

    def api_post(self, path: str, body: Optional[Dict[str, Any]] = None, **kwargs: Any) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf_token or ""}
        headers.update(kwargs.pop("headers", {}))
        return self.post(path, json=body if body is not None else {}, headers=headers, **kwargs)

    def form_post(self, path: str, fields: Optional[Dict[str, str]] = None) -> requests.Response:
        return self.post(path, data={"csrf_token": self.csrf_token or "", **(fields or {})})


def hidden_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def meta_csrf(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF meta tag in the page"
    return match.group(1)


class ConsoleUnderTest:
    """A running console with its database, fake Rasa and helpers to seed data and log in."""

    def __init__(self, base_url: str, app: Sanic, settings: ConsoleSettings, rasa: FakeRasa) -> None:
        self.base_url = base_url
        self.app = app
        self.settings = settings
        self.rasa = rasa
        self.tickets = TicketStore(settings.database_url)
        self.agents = AgentDirectory(settings.database_url)

    def add_agent(self, username: str = "alice", name: str = "Alice Agent", role: str = "agent") -> None:
        self.agents.add(username, name, PASSWORD, role=role)

    def browser(self, username: Optional[str] = None) -> Browser:
        browser = Browser(self.base_url)
        if username:
            response = browser.login(username)
            assert response.status_code == 303, response.text
        return browser

    def open_ticket(self, conversation_id: str = "conv-1", created: Optional[datetime] = None, **fields: Any) -> Ticket:
        values: Dict[str, Any] = {
            "reason": "customer_asked",
            "priority": "normal",
            "summary": "Parcel arrived damaged",
            "category": "damaged_item",
            "customer_name": "Dana",
            "customer_email": "dana@example.com",
        }
        values.update(fields)
        return self.tickets.open_ticket(
            NewTicket(conversation_id=conversation_id, **values),
            now=created or datetime.now().astimezone() - timedelta(minutes=5),
        )


@contextmanager
def running_console(tmp_path: Path, **overrides: Any) -> Iterator[ConsoleUnderTest]:
    settings = settings_for(tmp_path, **overrides)
    rasa = FakeRasa()
    app = create_app(settings, rasa_client=rasa)
    with serving(app) as base_url:
        yield ConsoleUnderTest(base_url, app, settings, rasa)
