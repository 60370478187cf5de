"""Every hostile input of the corpus on every public endpoint: no 5xx, no timeout, nothing echoed unescaped, every
server still alive and answering at the end.

Public endpoints and what each input becomes there:
- Rasa REST channel, POST /webhooks/rest/webhook: the raw body; `message`; `sender`; `metadata` values.
- Rasa socket.io channel (a socket.io client, as the widget): the `session_request` payload and its `session_id`;
  `user_uttered` as a whole, its `message` (with the input also in `customData`'s fields), its `session_id`
  (with the input also as the whole `customData`).
- Rasa's other public paths: GET / with the input in the query; /socket.io/ long polling: GET with a junk
  session id, and on a real polling session a POST with the input in a socket.io packet, then as the raw body.
- The console's public pages: GET /login with the input in the query; POST /login with the input as
  username and password (with a valid CSRF pair), and as the CSRF token; the demo shop /shop/ with the input as
  `name`, `email` and another parameter; /shop/files/<input as a path>.
Inputs of the "header" category also go in as header values (User-Agent, Referer, X-Forwarded-For, Accept,
Cookie, and Content-Type where there is a body).

A socket.io event counts as handled when the server acknowledges it (python-socketio sends the acknowledgement
once the handler returned); one that is never acknowledged while the connection stays open is a handler that
raised or hung: a failure, the socket.io equivalent of a 500. Being disconnected, like a 4xx, is a legitimate
refusal. A delivery that the test client itself can't send (a header value no HTTP client may put on the wire)
is not counted. Each input comes from a loopback address of its own, as from many attackers, so that the
channels' message rate per address lets all of it through to the NLU and the actions.

Light inputs go first, then the heavy ones, then the "tokenizer bombs" (one word made of thousands of sub-tokens,
like "a.a.a...", which cost the NLU time that grows with the square of their length). When a turn times out and
the assistant no longer answers a plain "hi", the remaining deliveries that need a turn are not sent (reported,
and the test fails); so does a delivery that the time budget leaves unsent.
"""

import asyncio
import http.client
import itertools
import json
import re
import resource
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

import pytest
import requests

from customer_care.settings import PROJECT_ROOT
from tests.abuse.conftest import (
    HTTP_TIMEOUT,
    SOCKET_TIMEOUT,
    WidgetClient,
    http_session,
    new_sender,
    next_client_address,
)
from tests.abuse.corpus import Hostile, hostile_inputs

# For the whole barrage (177 s on the quiet 2-core machine on 2026-12-02, about 340 s with other work running
# beside it); what is left unsent after it counts as a failure.
BUDGET_SECONDS = 300.0
HTTP_WORKERS = 6
SOCKET_CLIENTS = 12
CANARY_TIMEOUT = 10.0  # for a plain "hi" after a turn timed out: a turn takes well under a second
SESSION_REQUEST_TIMEOUT = 10.0  # a session_request handler does no real work: 10 s is ample
SAME_FAILURE_LIMIT = 3  # after this many unacknowledged events (or timeouts) on one endpoint, skip the rest of it
TOKENIZER_BOMB_SUBTOKENS = 300  # sub-tokens in one whitespace-separated word
WAVES = ("light", "heavy", "tokenizer bombs")
CONSOLE_ENDPOINTS = ("console", "shop")  # the deliveries' names that go to the console; the others go to Rasa
SHOP_FILES = {path.name: path.read_bytes() for path in (PROJECT_ROOT / "shop" / "files").iterdir() if path.is_file()}
# Elements an attacker wants rendered; a page may contain no more of them than it does without input. (Event
# attributes and "javascript:" alone prove nothing: escaped text keeps those letters. Links and forms are on the
# console's own error pages; an injected one, like an attribute broken open with a quote, shows in the
# verbatim-echo check.)
MARKUP = (
    "<script",
    "<img",
    "<svg",
    "<iframe",
    "<base",
    "<meta http-equiv",
    "<style>*",
    "<details",
    "<math",
    "<b onmouseover",
    "<scr<script",
    "<![cdata[",
)


def _wave(hostile: Hostile) -> int:
    text = hostile.text() if hostile.raw_json is None else ""
    words = text.split()
    if words and max(len(re.findall(r"\w+", word)) for word in words) >= TOKENIZER_BOMB_SUBTOKENS:
        return 2
    return 1 if hostile.heavy else 0


# Outcomes -----------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    endpoint: str
    hostile: str
    category: str
    result: str  # "ok", "refused" (4xx, disconnected), "failed", "skipped", "not sent"
    detail: str
    seconds: float = 0.0
    size: int = 0


@dataclass
class Barrage:
    servers: Any
    deadline: float
    # Each input is sent from an address of its own: the channels' message rate per address would otherwise turn
    # most of the barrage away before it reached the NLU and the actions (tests/abuse/test_latency.py checks that
    # rate).
    sources: Dict[str, str] = field(default_factory=dict)
    outcomes: List[Outcome] = field(default_factory=list)
    stalled: Optional[str] = None
    endpoint_failures: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    canary_lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: Dict[int, Tuple[str, str, float]] = field(default_factory=dict)  # id -> endpoint, input, start
    recently_ended: List[Tuple[float, str, str]] = field(default_factory=list)  # end, endpoint, input
    deaths: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # server -> exit code, suspects, log
    keys: Iterator[int] = field(default_factory=itertools.count)
    down: Optional[Dict[str, Any]] = None  # the first server found not accepting connections, with the suspects

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def start(self, endpoint: str, hostile: Hostile) -> int:
        with self.lock:
            key = next(self.keys)
            self.in_flight[key] = (endpoint, hostile.name, time.monotonic())
            return key

    def end(self, key: int) -> None:
        with self.lock:
            endpoint, name, _ = self.in_flight.pop(key)
            now = time.monotonic()
            self.recently_ended.append((now, endpoint, name))
            self.recently_ended = [entry for entry in self.recently_ended if entry[0] > now - 1.5]

    def watch(self, stop: threading.Event) -> None:
        """Note the moment a server process dies, with what was in flight then (and ended just before): the
        suspects. Its log's last error lines tell which of them it was."""
        while not stop.wait(0.2):
            for name, process in self.servers.processes.items():
                if name in self.deaths or process.poll() is None:
                    continue
                suspects = self.down["suspects"] if self.down else self.suspects(console=name == "console")
                log = self.servers.log(name)
                errors = [
                    line[:300]
                    for line in log.splitlines()
                    if re.search(r"Error|Exiting|SystemExit|ERROR", line) and not line.startswith(" ")
                ]
                self.deaths[name] = {
                    "exit_code": process.returncode,
                    "suspects": suspects[:40],
                    "last_errors": errors[-8:],
                }

    def suspects(self, console: bool = False) -> List[str]:
        """What was in flight to the Rasa server (or to the console), or ended in the last moments."""
        with self.lock:
            found = {(endpoint, hostile) for endpoint, hostile, _ in self.in_flight.values()} | {
                (endpoint, hostile) for _, endpoint, hostile in self.recently_ended
            }
        # Those that reach the conversation code first (REST, socket.io events), then the plain paths.
        return [
            f"{endpoint} <- {hostile}"
            for endpoint, hostile in sorted(found, key=lambda pair: (not pair[0].startswith(("rest", "sio")), pair))
            if endpoint.startswith(CONSOLE_ENDPOINTS) == console
        ]

    def is_down(self, base_url: str) -> bool:
        """After a connection failed: does the server still accept a plain request? If not, it is dying or dead:
        note what was in flight, and stop."""
        if self.down:
            return True
        try:
            requests.get(f"{base_url}/", timeout=10)
            return False
        except requests.Timeout:
            return False  # busy, not gone
        except requests.ConnectionError:
            self.down = {
                "server": base_url,
                "suspects": self.suspects(console=base_url == self.servers.console_url)[:40],
            }
            return True

    def skip_reason(self, endpoint: str, turn: bool) -> Optional[str]:
        if self.deaths or self.down:
            return f"a server stopped ({', '.join(self.deaths) or self.down['server']})"
        if time.monotonic() > self.deadline:
            return f"time budget of {BUDGET_SECONDS:.0f} s spent"
        if turn and self.stalled:
            return f"the assistant stopped answering ({self.stalled})"
        if self.endpoint_failures[endpoint] >= SAME_FAILURE_LIMIT:
            return f"{endpoint} already failed {SAME_FAILURE_LIMIT} times the same way"
        return None

    def count_failure(self, endpoint: str) -> None:
        with self.lock:
            self.endpoint_failures[endpoint] += 1

    def check_stall(self, culprit: str) -> None:
        """After a turn timed out: does the assistant still answer a plain 'hi'? If not, stop sending turns."""
        with self.canary_lock:
            if self.stalled:
                return
            try:
                reply = requests.post(
                    self.servers.rest_webhook,
                    json={"sender": new_sender("canary"), "message": "hi"},
                    timeout=CANARY_TIMEOUT,
                )
                if reply.status_code == 200:
                    return
            except requests.RequestException:
                pass
            self.stalled = f"after {culprit}"


# HTTP deliveries ----------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str
    seconds: float  # on the wire: from sending the request to the end of the answer (not the client's encoding)


@dataclass
class HttpDelivery:
    endpoint: str
    hostile: Hostile
    turn: bool  # may run a conversation turn (NLU, policies, actions)
    send: Callable[[], Reply]
    check: Optional[Callable[[Reply], Optional[str]]] = None
    base_url: str = ""  # the server it goes to


_local = threading.local()


def _session() -> requests.Session:
    """This thread's session, sending from the address of the input it delivers (`_local.source`)."""
    source = getattr(_local, "source", None)
    if getattr(_local, "session_source", "none") != source:
        if hasattr(_local, "session"):
            _local.session.close()
        _local.session, _local.session_source = http_session(source), source
    return _local.session


def _request(method: str, url: str, **kwargs: Any) -> Reply:
    session = _session()
    prepared = session.prepare_request(requests.Request(method, url, **kwargs))
    began = time.monotonic()
    response = session.send(prepared, timeout=HTTP_TIMEOUT, allow_redirects=False)
    return Reply(
        response.status_code, response.content, response.headers.get("Content-Type", ""), time.monotonic() - began
    )


def _raw_get(base_url: str, path: str, headers: Dict[str, str]) -> Reply:
    """A GET whose path goes on the wire exactly as given (requests would resolve ../ itself)."""
    parts = urlsplit(base_url)
    source = getattr(_local, "source", None)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=HTTP_TIMEOUT, source_address=(source, 0) if source else None
    )
    try:
        began = time.monotonic()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, response.read(), response.getheader("Content-Type", ""), time.monotonic() - began)
    finally:
        connection.close()


def _header_tricks(hostile: Hostile) -> Dict[str, str]:
    if hostile.category != "header":
        return {}
    value = hostile.header_value()
    return {"User-Agent": value, "Referer": value, "X-Forwarded-For": value, "Accept": value, "Cookie": value}


HOLE = "__hostile_input__"


def _json_body(document: Dict[str, Any], hostile: Hostile) -> bytes:
    """`document` with the hostile input wherever it says HOLE; a raw JSON input is spliced in as written."""
    filling = hostile.raw_json if hostile.raw_json is not None else json.dumps(hostile.json_value(), allow_nan=True)
    return json.dumps(document).replace(f'"{HOLE}"', filling).encode("utf-8", "surrogatepass")


def _unescaped(hostile: Hostile, baseline_pages: List[str]) -> Callable[[Reply], Optional[str]]:
    """A check for HTML pages: no more markup than the page has without input, and the input never verbatim when
    it holds a character HTML must escape (more often than the page has it anyway)."""
    raw = hostile.text().strip()[:200]
    tricky = len(raw) > 1 and any(c in raw for c in "<>\"'")

    def check(reply: Reply) -> Optional[str]:
        if "html" not in reply.content_type:
            return None
        page = reply.body.decode("utf-8", "replace")
        lowered = page.lower()
        extra = [
            marker
            for marker in MARKUP
            if lowered.count(marker) > max(base.lower().count(marker) for base in baseline_pages)
        ]
        if extra:
            return f"unescaped markup in the page: {extra}"
        if tricky and page.count(raw) > max(base.count(raw) for base in baseline_pages):
            return f"the input is echoed unescaped: {raw[:60]!r}"
        return None

    return check


def _shop_file_check(reply: Reply) -> Optional[str]:
    if reply.status == 200 and reply.body not in SHOP_FILES.values():
        return f"/shop/files served something that is not in shop/files: {reply.body[:80]!r}"
    return None


def http_deliveries(
    servers, hostile: Hostile, login_csrf: Tuple[str, str], baselines: Dict[str, List[str]]
) -> List[HttpDelivery]:
    rasa, console = servers.rasa_url, servers.console_url
    tricks = _header_tricks(hostile)
    tricks_but_cookie = {name: value for name, value in tricks.items() if name != "Cookie"}
    content_type = hostile.header_value() if hostile.category == "header" else "application/json"
    json_headers = {**tricks, "Content-Type": content_type}
    value = hostile.form_value()
    # A huge value goes in one query parameter, not four: URL-encoding 4 x 3 MB is the client's time, not the
    # server's.
    other = value if len(value) <= 64 * 1024 else b"x"
    cookie_token, form_token = login_csrf

    def rest(field_name: Optional[str]) -> Callable[[], Reply]:
        def send() -> Reply:
            if field_name is None:  # the input is the body (a header input: a plain body, the odd Content-Type)
                body = (
                    json.dumps({"sender": new_sender(), "message": "hi"}).encode()
                    if hostile.category == "header"
                    else hostile.body()
                )
            elif field_name == "metadata":
                body = _json_body(
                    {
                        "sender": new_sender(),
                        "message": "hi",
                        "metadata": {"name": HOLE, "email": HOLE, "language": HOLE, "customer_token": HOLE},
                    },
                    hostile,
                )
            else:
                body = _json_body({"sender": new_sender(), "message": "hi", field_name: HOLE}, hostile)
            return _request("POST", servers.rest_webhook, data=body, headers=json_headers)

        return send

    def polling_session() -> Reply:
        handshake = _request("GET", f"{rasa}/socket.io/", params={"EIO": "4", "transport": "polling"}, headers=tricks)
        match = re.search(rb'"sid"\s*:\s*"([^"]+)"', handshake.body)
        if not match:
            return handshake
        sid = match.group(1).decode()
        payload = (
            hostile.raw_json
            if hostile.raw_json is not None
            else json.dumps({"session_id": hostile.json_value()}, allow_nan=True)
        )
        packets = (
            b"40\x1e42"
            + json.dumps(["session_request"]).encode()[:-1]
            + b","
            + payload.encode("utf-8", "surrogatepass")
            + b"]"
        )
        structured = _request(
            "POST",
            f"{rasa}/socket.io/",
            params={"EIO": "4", "transport": "polling", "sid": sid},
            data=packets,
            headers={**tricks, "Content-Type": "text/plain;charset=UTF-8"},
        )
        if structured.status >= 500:
            return structured
        raw = _request(
            "POST",
            f"{rasa}/socket.io/",
            params={"EIO": "4", "transport": "polling", "sid": sid},
            data=hostile.body(),
            headers={**tricks, "Content-Type": content_type},
        )
        raw.seconds = max(handshake.seconds, structured.seconds, raw.seconds)  # the slowest of the three
        return raw

    shop_check = _unescaped(hostile, baselines["shop"])
    login_check = _unescaped(hostile, baselines["login"])
    deliveries = [
        HttpDelivery("rest raw body", hostile, True, rest(None)),
        HttpDelivery("rest message", hostile, True, rest("message")),
        HttpDelivery("rest sender", hostile, True, rest("sender")),
        HttpDelivery("rest metadata", hostile, True, rest("metadata")),
        HttpDelivery(
            "rasa GET /", hostile, False, lambda: _request("GET", f"{rasa}/", params={"q": value}, headers=tricks)
        ),
        HttpDelivery(
            "rasa polling GET",
            hostile,
            False,
            lambda: _request(
                "GET",
                f"{rasa}/socket.io/",
                params={"EIO": "4", "transport": "polling", "sid": value, "t": other},
                headers=tricks,
            ),
        ),
        HttpDelivery("rasa polling POST", hostile, False, polling_session),
        HttpDelivery(
            "console GET /login",
            hostile,
            False,
            lambda: _request("GET", f"{console}/login", params={"next": value, other: "1"}, headers=tricks),
            login_check,
        ),
        HttpDelivery(
            "console POST /login fields",
            hostile,
            False,
            lambda: _request(
                "POST",
                f"{console}/login",
                data={"username": value, "password": value, "csrf_token": form_token},
                cookies={"console_login_csrf": cookie_token},
                headers=tricks_but_cookie,
            ),
            login_check,
        ),
        HttpDelivery(
            "console POST /login csrf",
            hostile,
            False,
            lambda: _request(
                "POST",
                f"{console}/login",
                data={"username": "sam", "password": "wrong", "csrf_token": value},
                cookies={"console_login_csrf": hostile.header_value()},
                headers=tricks_but_cookie,
            ),
            login_check,
        ),
        HttpDelivery(
            "shop page query",
            hostile,
            False,
            lambda: _request(
                "GET", f"{console}/shop/", params={"name": value, "email": other, other: other}, headers=tricks
            ),
            shop_check,
        ),
        HttpDelivery(
            "shop files path",
            hostile,
            False,
            lambda: _raw_get(console, "/shop/files/" + hostile.url_path(), tricks),
            _shop_file_check,
        ),
    ]
    for delivery in deliveries:
        delivery.base_url = console if delivery.endpoint.startswith(CONSOLE_ENDPOINTS) else rasa
    return deliveries


def run_http(barrage: Barrage, delivery: HttpDelivery) -> None:
    hostile = delivery.hostile
    reason = barrage.skip_reason(delivery.endpoint, delivery.turn)
    if reason:
        barrage.record(Outcome(delivery.endpoint, hostile.name, hostile.category, "skipped", reason))
        return
    began = time.monotonic()
    key = barrage.start(delivery.endpoint, hostile)
    _local.source = barrage.sources.get(hostile.name)
    try:
        reply = delivery.send()
    except (requests.Timeout, TimeoutError, http.client.socket.timeout):
        seconds = time.monotonic() - began
        barrage.record(
            Outcome(
                delivery.endpoint,
                hostile.name,
                hostile.category,
                "failed",
                f"no answer within {HTTP_TIMEOUT:.0f} s",
                seconds,
                hostile.size(),
            )
        )
        barrage.count_failure(delivery.endpoint)
        if delivery.turn:
            barrage.check_stall(f"{delivery.endpoint} <- {hostile.name}")
        return
    except (requests.ConnectionError, http.client.HTTPException, ConnectionError) as error:
        if barrage.is_down(delivery.base_url):
            barrage.record(
                Outcome(
                    delivery.endpoint,
                    hostile.name,
                    hostile.category,
                    "failed",
                    f"connection lost, the server stopped accepting connections: {type(error).__name__}",
                    time.monotonic() - began,
                    hostile.size(),
                )
            )
        else:
            # The server closed the connection: what a server may do with a request it won't read.
            barrage.record(
                Outcome(
                    delivery.endpoint,
                    hostile.name,
                    hostile.category,
                    "refused",
                    f"connection closed: {type(error).__name__}",
                    time.monotonic() - began,
                    hostile.size(),
                )
            )
        return
    except (ValueError, UnicodeError, requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL) as error:
        barrage.record(
            Outcome(
                delivery.endpoint,
                hostile.name,
                hostile.category,
                "not sent",
                f"the client refused: {type(error).__name__}: {str(error)[:80]}",
            )
        )
        return
    finally:
        barrage.end(key)
    seconds = reply.seconds
    problem = None
    if reply.status >= 500:
        problem = f"HTTP {reply.status}: {reply.body[:160]!r}"
    elif delivery.check is not None:
        problem = delivery.check(reply)
    if problem:
        barrage.record(
            Outcome(delivery.endpoint, hostile.name, hostile.category, "failed", problem, seconds, hostile.size())
        )
    else:
        barrage.record(
            Outcome(
                delivery.endpoint,
                hostile.name,
                hostile.category,
                "ok" if reply.status < 400 else "refused",
                f"HTTP {reply.status}",
                seconds,
                hostile.size(),
            )
        )


# socket.io deliveries -----------------------------------------------------------------------------------------


@dataclass
class SocketDelivery:
    endpoint: str
    hostile: Hostile
    turn: bool
    event: str
    payload: Callable[[Any], Any]  # the client's current session id -> the event's data
    timeout: float = SOCKET_TIMEOUT


def _socket_value(hostile: Hostile) -> Any:
    """bytes travel as a binary attachment; a raw JSON document as its text (the polling delivery sends it raw)."""
    if isinstance(hostile.value, bytes):
        return hostile.value
    if hostile.raw_json is not None:
        return hostile.raw_json
    return hostile.value


def _decoder_refuses(value: Any) -> bool:
    """Whether python-engineio's JSON decoder refuses the packet: it takes no integer of more than 100 digits
    (its own guard against slow int parsing) and drops such a packet with a logged error, unacknowledged. A
    refusal by the library, not a failure of our handler."""
    if isinstance(value, int) and not isinstance(value, bool):
        return len(str(abs(value))) > 100
    if isinstance(value, list):
        return any(_decoder_refuses(item) for item in value)
    if isinstance(value, dict):
        return any(_decoder_refuses(item) for item in value.values())
    return False


def socket_deliveries(hostile: Hostile) -> List[SocketDelivery]:
    """Five events per input; three run a turn at most. To keep the barrage within its time on 2 cores, an input
    that is not the message rides on one turn in two places: `message` with `customData`'s fields, and
    `session_id` with `customData` as a whole."""
    value = _socket_value(hostile)
    fields = {"name": value, "email": value, "language": value, "customer_token": value}
    return [
        SocketDelivery(
            "sio session_request payload", hostile, False, "session_request", lambda s: value, SESSION_REQUEST_TIMEOUT
        ),
        SocketDelivery(
            "sio session_request session_id",
            hostile,
            False,
            "session_request",
            lambda s: {"session_id": value},
            SESSION_REQUEST_TIMEOUT,
        ),
        SocketDelivery("sio user_uttered payload", hostile, True, "user_uttered", lambda s: value),
        SocketDelivery(
            "sio user_uttered message+customData fields",
            hostile,
            True,
            "user_uttered",
            lambda s: {"message": value, "session_id": s, "customData": fields},
        ),
        SocketDelivery(
            "sio user_uttered session_id+customData",
            hostile,
            True,
            "user_uttered",
            lambda s: {"message": "hi", "session_id": value, "customData": value},
        ),
    ]


async def _acknowledged(client: WidgetClient, event: str, data: Any, timeout: float) -> str:
    """'ack', 'disconnected' (the server dropped the client) or 'no ack' (connected, but never acknowledged)."""
    call = asyncio.ensure_future(client.call(event, data, timeout=timeout))
    deadline = time.monotonic() + timeout
    while not call.done():
        if not client.sio.connected:
            call.cancel()
            return "disconnected"
        if time.monotonic() > deadline + 1:
            call.cancel()
            break
        await asyncio.wait({call}, timeout=0.2)
    if call.cancelled():
        return "no ack"
    error = call.exception()
    if error is None:
        return "ack"
    if not client.sio.connected:
        return "disconnected"
    if "timeout" in type(error).__name__.lower():
        return "no ack"
    raise error


async def _socket_worker(barrage: Barrage, queue: "asyncio.Queue[SocketDelivery]") -> None:
    client: Optional[WidgetClient] = None
    session: Any = None
    try:
        while not queue.empty():
            delivery = queue.get_nowait()
            hostile = delivery.hostile
            reason = barrage.skip_reason(delivery.endpoint, delivery.turn)
            if reason:
                barrage.record(Outcome(delivery.endpoint, hostile.name, hostile.category, "skipped", reason))
                continue
            source = barrage.sources.get(hostile.name)
            try:
                if client is None or not client.sio.connected or client.source != source:
                    if client is not None:
                        await client.close()
                    client = WidgetClient(barrage.servers.rasa_url, source)
                    await client.connect()
                    session = await client.session(None)
            except Exception as error:  # noqa: BLE001 - the server refused a plain connection
                loop = asyncio.get_running_loop()
                if await loop.run_in_executor(None, barrage.is_down, barrage.servers.rasa_url):
                    barrage.record(
                        Outcome(
                            delivery.endpoint,
                            hostile.name,
                            hostile.category,
                            "skipped",
                            "the Rasa server stopped accepting connections",
                        )
                    )
                else:
                    barrage.record(
                        Outcome(
                            delivery.endpoint,
                            hostile.name,
                            hostile.category,
                            "failed",
                            f"could not connect: {type(error).__name__}: {error}",
                        )
                    )
                    barrage.count_failure(delivery.endpoint)
                client = None
                continue
            began = time.monotonic()
            key = barrage.start(delivery.endpoint, hostile)
            timeout = 5.0 if _decoder_refuses(hostile.value) else delivery.timeout
            try:
                state = await _acknowledged(client, delivery.event, delivery.payload(session), timeout)
            except (TypeError, ValueError, UnicodeError) as error:
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "not sent",
                        f"the client refused: {type(error).__name__}: {str(error)[:80]}",
                    )
                )
                continue
            finally:
                barrage.end(key)
            seconds = time.monotonic() - began
            if state == "ack":
                barrage.record(
                    Outcome(
                        delivery.endpoint, hostile.name, hostile.category, "ok", "acknowledged", seconds, hostile.size()
                    )
                )
            elif state == "disconnected" and await asyncio.get_running_loop().run_in_executor(
                None, barrage.is_down, barrage.servers.rasa_url
            ):
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "failed",
                        "connection lost, the server stopped accepting connections",
                        seconds,
                        hostile.size(),
                    )
                )
            elif state == "disconnected":
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "refused",
                        "disconnected by the server",
                        seconds,
                        hostile.size(),
                    )
                )
            elif _decoder_refuses(hostile.value):
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "refused",
                        "dropped by the packet decoder (an integer of over 100 digits)",
                        seconds,
                        hostile.size(),
                    )
                )
            else:
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "failed",
                        f"never acknowledged within {delivery.timeout:.0f} s (the handler raised or hung)",
                        seconds,
                        hostile.size(),
                    )
                )
                barrage.count_failure(delivery.endpoint)
                if delivery.turn:
                    await asyncio.get_running_loop().run_in_executor(
                        None, barrage.check_stall, f"{delivery.endpoint} <- {hostile.name}"
                    )
            if delivery.event == "session_request":
                session = client.confirms[-1] if client.confirms else session
                # A refused session_request may leave the socket without a conversation: start a valid one again.
                try:
                    session = await client.session(None)
                except Exception:  # noqa: BLE001 - reconnects on the next delivery
                    await client.close()
                    client = None
    finally:
        if client is not None:
            await client.close()


def run_sockets(barrage: Barrage, deliveries: List[SocketDelivery]) -> None:
    async def main() -> None:
        queue: asyncio.Queue[SocketDelivery] = asyncio.Queue()
        for delivery in deliveries:
            queue.put_nowait(delivery)
        await asyncio.gather(*(_socket_worker(barrage, queue) for _ in range(SOCKET_CLIENTS)))

    asyncio.run(main())


# The test -------------------------------------------------------------------------------------------------------


def _groups(failed: List[Outcome]) -> Dict[str, Dict[str, Any]]:
    """Failures by endpoint and kind (an HTTP status, a timeout, a missing acknowledgement), with the inputs."""
    groups: Dict[str, Dict[str, Any]] = {}
    for outcome in failed:
        kind = outcome.detail.split(":")[0] if outcome.detail.startswith("HTTP") else outcome.detail[:70]
        group = groups.setdefault(f"{outcome.endpoint}: {kind}", {"count": 0, "inputs": []})
        group["count"] += 1
        if len(group["inputs"]) < 12:
            group["inputs"].append(outcome.hostile)
    return dict(sorted(groups.items(), key=lambda item: -item[1]["count"]))


@pytest.mark.timeout(BUDGET_SECONDS + 150)
def test_hostile_inputs_on_every_public_endpoint(servers, results):
    corpus = hostile_inputs()
    assert len(corpus) >= 500
    console = servers.console_url
    login_page = requests.get(f"{console}/login", timeout=HTTP_TIMEOUT)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)
    cookie_token = login_page.cookies.get("console_login_csrf", form_token)
    stale_form = requests.post(
        f"{console}/login", data={"username": "x", "password": "y", "csrf_token": "z"}, timeout=HTTP_TIMEOUT
    )
    wrong_login = requests.post(
        f"{console}/login",
        data={"username": "nobody", "password": "wrong password", "csrf_token": form_token},
        cookies={"console_login_csrf": cookie_token},
        timeout=HTTP_TIMEOUT,
    )
    baselines = {
        "shop": [requests.get(f"{console}/shop/", timeout=HTTP_TIMEOUT).text],
        "login": [login_page.text, stale_form.text, wrong_login.text],
    }

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    barrage = Barrage(
        servers, time.monotonic() + BUDGET_SECONDS, sources={hostile.name: next_client_address() for hostile in corpus}
    )
    stop_watching = threading.Event()
    watcher = threading.Thread(target=barrage.watch, args=(stop_watching,), daemon=True)
    watcher.start()
    began = time.monotonic()
    wave_times = {}
    for wave, name in enumerate(WAVES):
        inputs = [hostile for hostile in corpus if _wave(hostile) == wave]
        http = [
            d for hostile in inputs for d in http_deliveries(servers, hostile, (cookie_token, form_token), baselines)
        ]
        sockets = [d for hostile in inputs for d in socket_deliveries(hostile)]
        wave_began = time.monotonic()
        socket_thread = threading.Thread(target=run_sockets, args=(barrage, sockets), daemon=True)
        socket_thread.start()
        with ThreadPoolExecutor(HTTP_WORKERS) as pool:
            list(pool.map(lambda delivery: run_http(barrage, delivery), http))
        socket_thread.join()
        names = {hostile.name for hostile in inputs}
        in_wave = [o for o in barrage.outcomes if o.hostile in names and o.seconds]
        slowest_in_wave = max(in_wave, key=lambda o: o.seconds, default=None)
        wave_times[name] = {
            "inputs": len(inputs),
            "deliveries": len(http) + len(sockets),
            "seconds": round(time.monotonic() - wave_began, 1),
            "slowest": f"{slowest_in_wave.seconds:.1f} s {slowest_in_wave.endpoint} <- {slowest_in_wave.hostile}"
            if slowest_in_wave
            else None,
        }
    elapsed = time.monotonic() - began
    client_cpu = resource.getrusage(resource.RUSAGE_SELF)
    time.sleep(0.5)
    stop_watching.set()
    watcher.join()

    dead = {name: process.returncode for name, process in servers.processes.items() if process.poll() is not None}
    try:
        final = requests.post(
            servers.rest_webhook, json={"sender": new_sender("after"), "message": "hi"}, timeout=HTTP_TIMEOUT
        )
        answers = final.status_code == 200 and bool(final.json())
    except (requests.RequestException, ValueError):
        answers = False

    outcomes = barrage.outcomes
    sent = [o for o in outcomes if o.result in ("ok", "refused", "failed")]
    failed = [o for o in outcomes if o.result == "failed"]
    skipped = [o for o in outcomes if o.result == "skipped"]
    slowest = max(sent, key=lambda o: o.seconds)
    by_endpoint: Dict[str, Counter] = defaultdict(Counter)
    for outcome in outcomes:
        by_endpoint[outcome.endpoint][outcome.result] += 1
    five_xx = [o for o in failed if o.detail.startswith("HTTP 5")]
    timeouts = [o for o in failed if "within" in o.detail]
    figures = {
        "inputs": len(corpus),
        "requests_sent": len(sent),
        "http_requests_sent": sum(1 for o in sent if not o.endpoint.startswith("sio")),
        "socket_events_sent": sum(1 for o in sent if o.endpoint.startswith("sio")),
        "seconds": round(elapsed, 1),
        "waves": wave_times,
        "test_client_cpu_seconds": round(client_cpu.ru_utime + client_cpu.ru_stime - cpu_before, 1),
        "slowest_request": {
            "seconds": round(slowest.seconds, 2),
            "endpoint": slowest.endpoint,
            "input": slowest.hostile,
            "result": slowest.detail,
        },
        "failed": len(failed),
        "five_xx": len(five_xx),
        "timeouts_or_no_ack": len(timeouts),
        "skipped": len(skipped),
        "not_sent_by_client": sum(1 for o in outcomes if o.result == "not sent"),
        "by_endpoint": {endpoint: dict(counts) for endpoint, counts in sorted(by_endpoint.items())},
        "failure_groups": _groups(failed),
        "stalled": barrage.stalled,
        "down": barrage.down,
        "dead_processes": dead,
        "deaths": barrage.deaths,
        "answers_after": answers,
    }
    results["hostile_inputs"] = figures
    print(
        f"\n[abuse] hostile inputs: {len(corpus)} inputs, {len(sent)} requests sent "
        f"({figures['http_requests_sent']} HTTP, {figures['socket_events_sent']} socket.io events) in {elapsed:.1f} s; "
        f"largest single request: {slowest.seconds:.2f} s ({slowest.endpoint} <- {slowest.hostile}: "
        f"{slowest.detail}); {len(failed)} failed ({len(five_xx)} 5xx, {len(timeouts)} timeouts or unacknowledged), "
        f"{len(skipped)} skipped; waves {wave_times}"
    )
    for endpoint, counts in sorted(by_endpoint.items()):
        print(f"[abuse]   {endpoint:38s} {dict(counts)}")
    for group, found in figures["failure_groups"].items():
        print(f"[abuse]   FAILED {found['count']:4d} x {group}: {', '.join(found['inputs'])}")

    if barrage.down:
        print(
            f"[abuse]   STOPPED ACCEPTING CONNECTIONS: {barrage.down['server']}; in flight then: "
            f"{barrage.down['suspects']}"
        )
    for name, death in barrage.deaths.items():
        print(
            f"[abuse]   DIED {name} (exit code {death['exit_code']}); in flight then: {death['suspects']}; its last "
            f"errors: " + "\n[abuse]     ".join([""] + death["last_errors"])
        )

    problems = []
    if dead:
        problems.append(
            f"server processes died: {dead}; "
            + "; ".join(
                f"{name} with these in flight: {death['suspects'][:12]}, last errors: {death['last_errors'][-3:]}"
                for name, death in barrage.deaths.items()
            )
        )
    if not answers:
        problems.append("the assistant no longer answers 'hi' within 30 s after the barrage")
    if barrage.down and not dead:
        problems.append(
            f"{barrage.down['server']} stopped accepting connections; in flight then: {barrage.down['suspects'][:12]}"
        )
    if barrage.stalled:
        problems.append(f"the assistant stopped answering {barrage.stalled}")
    if failed:
        examples = "\n  ".join(
            f"{found['count']} x {group}, e.g. {', '.join(found['inputs'][:4])}"
            for group, found in figures["failure_groups"].items()
        )
        problems.append(f"{len(failed)} deliveries failed ({len(five_xx)} with a 5xx):\n  {examples}")
    if skipped:
        reasons = Counter(o.detail for o in skipped)
        problems.append(f"{len(skipped)} deliveries were not sent: {dict(reasons)}")
    assert not problems, "\n".join(problems)
