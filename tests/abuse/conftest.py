"""Abuse tests (issue 14, "Safe in front of the public"): the real servers, attacked through their public doors.

One set of servers for the session: the Rasa server (REST and socket.io channels), the action server, the NLU
worker and the console with the demo shop page, started by tools.servers on free ports. A test that leaves them
stalled or dead (that is a failure of its own) gets them restarted for the next test, so that one finding doesn't
hide the others. The tests run in a fixed order, the one most likely to stall the servers last.

Figures go to the test output (`-s` shows them as they come) and to results/abuse.json.
"""

import asyncio
import json
import math
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import aiohttp
import pytest
import requests
import socketio
from requests.adapters import HTTPAdapter

from customer_care.settings import PROJECT_ROOT
from tools.servers import DEFAULT_MODEL, RunningAssistant, client_addresses, start_assistant

RESULTS = PROJECT_ROOT / "results" / "abuse.json"
HTTP_TIMEOUT = 30.0  # seconds for any one HTTP request; a request that takes longer counts as a failure
SOCKET_TIMEOUT = 30.0  # seconds for a socket.io event's acknowledgement (the server sends it once handled)
# A second loopback address for attackers, so that a per-client limit can tell them from the customers
# (Linux routes all of 127.0.0.0/8 to the loopback interface). Tests fall back to 127.0.0.1 where it is missing.
ATTACKER_ADDRESS = "127.0.0.2"
TEST_ORDER = ("test_access.py", "test_latency.py", "test_hostile_inputs.py")


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Run the files in TEST_ORDER: the hostile inputs last, as they are the likeliest to stall a server."""

    def rank(item: pytest.Item) -> int:
        name = Path(str(item.fspath)).name
        return TEST_ORDER.index(name) if name in TEST_ORDER else len(TEST_ORDER)

    items.sort(key=rank)  # stable: the order inside a file stays as written


# Servers --------------------------------------------------------------------------------------------------


class Servers:
    """The session's servers, restarted when a test left them dead or unresponsive."""

    def __init__(self, work_root: Path) -> None:
        self.work_root = work_root
        self.started = 0
        self.current: Optional[RunningAssistant] = None

    def start(self) -> RunningAssistant:
        self.started += 1
        work_dir = self.work_root / f"servers-{self.started}"
        began = time.monotonic()
        self.current = start_assistant(DEFAULT_MODEL, work_dir, with_console=True)
        print(
            f"\n[abuse] servers #{self.started} up in {time.monotonic() - began:.1f} s: rasa {self.current.rasa_url}, "
            f"console {self.current.console_url}, actions {self.current.action_url}, nlu {self.current.nlu_url}"
        )
        return self.current

    def healthy(self) -> bool:
        running = self.current
        if running is None or any(process.poll() is not None for process in running.processes.values()):
            return False
        try:
            reply = requests.post(
                running.rest_webhook, json={"sender": f"health-{uuid.uuid4().hex[:8]}", "message": "hi"}, timeout=20
            )
            return reply.status_code == 200 and bool(reply.json())
        except (requests.RequestException, ValueError):
            return False

    def ensure(self) -> RunningAssistant:
        if self.current is not None and self.healthy():
            return self.current
        if self.current is not None:
            print("\n[abuse] the servers stopped answering after the previous test: restarting them")
            self.current.stop()
        return self.start()

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory) -> Iterator[Servers]:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    pool = Servers(tmp_path_factory.mktemp("abuse"))
    pool.start()
    yield pool
    pool.stop()


@pytest.fixture
def servers(server_pool: Servers) -> RunningAssistant:
    """Running, answering servers (restarted if the previous test left them otherwise)."""
    return server_pool.ensure()


# Results --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def results() -> Iterator[Dict[str, Any]]:
    """Figures of every test, written to results/abuse.json at the end of the session."""
    figures: Dict[str, Any] = {}
    yield figures
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous: Dict[str, Any] = {}
    if RESULTS.exists():  # a run of some of the tests keeps the others' figures
        try:
            previous = json.loads(RESULTS.read_text())
        except ValueError:
            previous = {}
    previous.update(figures)
    RESULTS.write_text(json.dumps(previous, indent=2, sort_keys=True, default=str) + "\n")
    print(f"\n[abuse] figures written to {RESULTS}")


# Helpers ----------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 40 values is the largest: no interpolation that flatters)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def new_sender(prefix: str = "abuse") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def rest_say(
    running: RunningAssistant, sender: str, message: str, session: Optional[requests.Session] = None, **extra: Any
) -> List[str]:
    """One customer turn through the REST channel; the bot's texts."""
    http = session or requests
    reply = http.post(running.rest_webhook, json={"sender": sender, "message": message, **extra}, timeout=HTTP_TIMEOUT)
    assert reply.status_code == 200, f"{reply.status_code}: {reply.text[:500]}"
    return [item.get("text") or "" for item in reply.json()]


class SourceAddressAdapter(HTTPAdapter):
    """requests from a chosen local address (an attacker on 127.0.0.2)."""

    def __init__(self, address: str, **kwargs: Any) -> None:
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def attacker_address() -> str:
    """ATTACKER_ADDRESS where this machine can use it as a source address, else 127.0.0.1."""
    import socket

    try:
        with socket.socket() as probe:
            probe.bind((ATTACKER_ADDRESS, 0))
        return ATTACKER_ADDRESS
    except OSError:
        return "127.0.0.1"


_client_addresses = client_addresses()
_client_lock = threading.Lock()


def next_client_address() -> str:
    """An address of its own for one simulated client, new for the whole session (tools.servers.client_addresses);
    neither the attacker's nor 127.0.0.1."""
    with _client_lock:
        return next(_client_addresses)


def http_session(source: Optional[str] = None) -> requests.Session:
    session = requests.Session()
    if source and source != "127.0.0.1":
        adapter = SourceAddressAdapter(source)
        session.mount("http://", adapter)
    return session


class WidgetClient:
    """A socket.io client as the chat widget is one: session_request, then user_uttered with the session id."""

    def __init__(self, url: str, source: Optional[str] = None) -> None:
        self.url = url
        self.source = source
        self.confirms: List[Any] = []
        self.utterances: List[Any] = []
        self.events = asyncio.Event()
        self._http: Optional[aiohttp.ClientSession] = None
        self.sio = self._new_client()

    def _new_client(self) -> socketio.AsyncClient:
        kwargs: Dict[str, Any] = {"reconnection": False}
        if self.source and self.source != "127.0.0.1":
            self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(self.source, 0)))
            kwargs["http_session"] = self._http
        sio = socketio.AsyncClient(**kwargs)

        @sio.on("session_confirm")
        async def on_confirm(data: Any) -> None:
            self.confirms.append(data)
            self.events.set()

        @sio.on("bot_uttered")
        async def on_utterance(data: Any) -> None:
            self.utterances.append(data)
            self.events.set()

        return sio

    async def connect(self) -> None:
        # Long-polling, the transport the widget starts with: python-engineio 4.15's websocket client needs
        # aiohttp.ClientWSTimeout (aiohttp 3.10+), which the venv's aiohttp 3.9.5 lacks.
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["polling"], wait_timeout=15)

    async def reconnect(self) -> None:
        await self.close()
        self.sio = self._new_client()
        await self.connect()

    async def close(self) -> None:
        try:
            await self.sio.disconnect()
        except Exception:  # noqa: BLE001 - a client the server already dropped
            pass
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def call(self, event: str, data: Any, timeout: float = SOCKET_TIMEOUT) -> Any:
        """Emit and wait for the server's acknowledgement (sent once its handler returned)."""
        return await self.sio.call(event, data, timeout=timeout)

    async def session(self, session_id: Any = None) -> Any:
        """session_request; the session_confirm's payload."""
        before = len(self.confirms)
        await self.call("session_request", {"session_id": session_id})
        await self.wait_for(lambda: len(self.confirms) > before, 10)
        return self.confirms[-1]

    async def wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.events.clear()
            try:
                await asyncio.wait_for(self.events.wait(), min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass
        return True

    def texts(self) -> List[str]:
        return [item.get("text") or "" for item in self.utterances if isinstance(item, dict)]


def conversation_ids(work_dir: Path) -> Dict[str, float]:
    """Every conversation in the tracker database with its first user message's time, read as someone with
    the console (or the database) would."""
    database = work_dir / "tracker.db"
    if not database.exists():
        return {}
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        rows = connection.execute(
            "SELECT sender_id, MIN(timestamp) FROM events WHERE type_name = 'user' GROUP BY sender_id"
        ).fetchall()
    finally:
        connection.close()
    return {sender: first for sender, first in rows}
