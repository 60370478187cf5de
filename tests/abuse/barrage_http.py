"""HTTP for test_hostile_inputs' barrage: a request from the attacking input's own address (or a GET whose path
goes on the wire as written), and running one delivery, recorded as an outcome of the barrage."""

import http.client
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional
from urllib.parse import urlsplit

import requests

from tests.abuse.barrage import Barrage, Outcome
from tests.abuse.conftest import HTTP_TIMEOUT, http_session
from tests.abuse.hostile_value import Hostile


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


def http_request(method: str, url: str, **kwargs: Any) -> Reply:
    session = _session()
    prepared = session.prepare_request(requests.Request(method, url, **kwargs))
    began = time.monotonic()
    response = session.send(prepared, timeout=HTTP_TIMEOUT, allow_redirects=False)
    return Reply(
        response.status_code, response.content, response.headers.get("Content-Type", ""), time.monotonic() - began
    )


def raw_get(base_url: str, path: str, headers: Dict[str, str]) -> Reply:
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
