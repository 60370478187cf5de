import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from customer_care.settings import PROJECT_ROOT
from customer_care.webhook import TicketWebhook, load_webhook

PAYLOAD = {
    "id": 7,
    "console_url": "http://localhost:5006/tickets/7",
    "priority": "urgent",
    "summary": "The kettle caught fire",
    "customer_email": "ann@example.com",
    "created_at": "2026-03-10T12:00:00+00:00",
}
SECRET = "a-long-random-secret-for-the-tests"


@dataclass
class Receiver:
    """A help desk on loopback: records each request and answers with the next scripted status (then 200)."""

    statuses: List[int] = field(default_factory=list)
    hold: Optional[threading.Event] = None  # when set, each request waits for it before answering
    requests: List[Dict[str, Any]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    url: str = ""


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(autouse=True)
def signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICKET_WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv("TICKET_WEBHOOK_SECRET_FILE", raising=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type"),
                        "body": body,
                        "headers": dict(self.headers),
                    }
                )
                status = state.statuses.pop(0) if state.statuses else 200
            state.arrived.set()
            if state.hold is not None:
                state.hold.wait(timeout=5)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/larkspur"
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Sleeps:
    def __init__(self) -> None:
        self.pauses: List[float] = []

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


# --- deliver -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_deliver_posts_the_json_payload_and_succeeds_on_2xx(receiver: Receiver, status: int) -> None:
    receiver.statuses = [status]
    sleep = Sleeps()

    assert TicketWebhook(receiver.url, secret=SECRET, timeout=2).deliver(PAYLOAD, sleep=sleep) is True

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hooks/larkspur"
    assert request["content_type"] == "application/json"
    assert json.loads(request["body"]) == PAYLOAD
    assert sleep.pauses == []


def test_deliver_retries_after_server_errors_and_succeeds_on_the_third_attempt(receiver: Receiver) -> None:
    receiver.statuses = [500, 503, 200]
    sleep = Sleeps()

    assert TicketWebhook(receiver.url, secret=SECRET, retries=3, timeout=2).deliver(PAYLOAD, sleep=sleep) is True

    assert len(receiver.requests) == 3
    assert [json.loads(request["body"]) for request in receiver.requests] == [PAYLOAD] * 3
    assert sleep.pauses == [1, 2]


def test_deliver_gives_up_after_retries_plus_one_attempts(receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    receiver.statuses = [500] * 10
    sleep = Sleeps()

    with caplog.at_level("WARNING", logger="customer_care.webhook"):
        assert TicketWebhook(receiver.url, secret=SECRET, retries=3, timeout=2).deliver(PAYLOAD, sleep=sleep) is False

    assert len(receiver.requests) == 4
    assert sleep.pauses == [1, 2, 4]  # growing pauses, none after the last attempt
    assert "gave up on ticket 7 after 4 attempts" in caplog.text


def test_deliver_backoff_scales_with_backoff_seconds(receiver: Receiver) -> None:
    receiver.statuses = [500] * 10
    sleep = Sleeps()

    assert (
        TicketWebhook(receiver.url, secret=SECRET, retries=2, timeout=2, backoff_seconds=0.5).deliver(
            PAYLOAD, sleep=sleep
        )
        is False
    )

    assert len(receiver.requests) == 3
    assert sleep.pauses == [0.5, 1.0]


def test_deliver_without_retries_tries_once(receiver: Receiver) -> None:
    receiver.statuses = [502, 200]
    sleep = Sleeps()

    assert TicketWebhook(receiver.url, secret=SECRET, retries=0, timeout=2).deliver(PAYLOAD, sleep=sleep) is False

    assert len(receiver.requests) == 1
    assert sleep.pauses == []


def test_deliver_retries_client_errors_too(receiver: Receiver) -> None:
    receiver.statuses = [404, 200]
    sleep = Sleeps()

    assert TicketWebhook(receiver.url, secret=SECRET, retries=1, timeout=2).deliver(PAYLOAD, sleep=sleep) is True
    assert len(receiver.requests) == 2
    assert sleep.pauses == [1]


def test_deliver_to_a_closed_port_returns_false_without_raising() -> None:
    sleep = Sleeps()
    webhook = TicketWebhook(f"http://127.0.0.1:{closed_port()}/hook", secret=SECRET, retries=2, timeout=1)

    assert webhook.deliver(PAYLOAD, sleep=sleep) is False
    assert sleep.pauses == [1, 2]


def test_deliver_counts_a_receiver_slower_than_the_timeout_as_a_failure(receiver: Receiver) -> None:
    receiver.hold = threading.Event()  # never answers in time
    sleep = Sleeps()

    started = time.monotonic()
    assert TicketWebhook(receiver.url, secret=SECRET, retries=1, timeout=0.2).deliver(PAYLOAD, sleep=sleep) is False

    assert time.monotonic() - started < 3
    assert len(receiver.requests) == 2
    assert sleep.pauses == [1]


# --- notify --------------------------------------------------------------------------------------------------


def test_notify_returns_at_once_while_the_receiver_is_blocked(receiver: Receiver) -> None:
    receiver.hold = threading.Event()
    webhook = TicketWebhook(receiver.url, secret=SECRET, retries=0, timeout=5)

    started = time.monotonic()
    future = webhook.notify(PAYLOAD)
    returned_after = time.monotonic() - started

    try:
        assert future is not None
        assert receiver.arrived.wait(timeout=5), "the background worker never reached the receiver"
        assert not future.done()  # still waiting for the blocked receiver
        assert returned_after < 0.5
        assert all(thread.daemon for thread in threading.enumerate() if thread.name.startswith("ticket-webhook"))
    finally:
        receiver.hold.set()

    assert future.result(timeout=5) is True
    assert [json.loads(request["body"]) for request in receiver.requests] == [PAYLOAD]


def test_idle_workers_end_and_a_later_ticket_starts_new_ones(receiver: Receiver) -> None:
    from customer_care.webhook import _DeliveryPool

    delivered: List[int] = []
    pool = _DeliveryPool(
        lambda payload: delivered.append(payload["id"]) is None, workers=2, queue_size=5, idle_seconds=0.05
    )
    assert pool.submit({"id": 1}).result(timeout=5) is True  # type: ignore[union-attr]
    deadline = time.monotonic() + 5
    while pool._threads and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pool._threads == []
    assert pool.submit({"id": 2}).result(timeout=5) is True  # type: ignore[union-attr]
    assert delivered == [1, 2]


def test_notify_to_a_dead_receiver_does_not_raise_in_the_caller() -> None:
    webhook = TicketWebhook(f"http://127.0.0.1:{closed_port()}/hook", secret=SECRET, retries=0, timeout=1)

    future = webhook.notify(PAYLOAD)

    assert future is not None and future.result(timeout=5) is False


# --- configuration -------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "endpoints.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_webhook_without_the_file_is_none(tmp_path: Path) -> None:
    assert load_webhook(tmp_path / "missing.yml") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "action_endpoint:\n  url: http://localhost:5055/webhook\n",
        "ticket_webhook:\n",
        "ticket_webhook: {}\n",
        "ticket_webhook:\n  retries: 2\n",
        "ticket_webhook:\n  url: ''\n",
        "ticket_webhook:\n  url: '   '\n",
        "ticket_webhook:\n  url:\n  retries: 2\n",
    ],
)
def test_load_webhook_without_a_url_is_none(tmp_path: Path, text: str) -> None:
    assert load_webhook(write(tmp_path, text)) is None


def test_load_webhook_reads_url_retries_and_timeout(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "action_endpoint:\n  url: http://localhost:5055/webhook\n"
        "ticket_webhook:\n  url: ' https://helpdesk.example/hooks/larkspur '\n"
        "  retries: 5\n  timeout: 2.5\n",
    )

    webhook = load_webhook(path)

    assert webhook == TicketWebhook(
        url="https://helpdesk.example/hooks/larkspur", secret=SECRET, retries=5, timeout=2.5
    )


def test_load_webhook_defaults_retries_and_timeout(tmp_path: Path) -> None:
    webhook = load_webhook(write(tmp_path, "ticket_webhook:\n  url: https://helpdesk.example/hook\n"))

    assert webhook is not None
    assert (webhook.url, webhook.retries, webhook.timeout, webhook.total_timeout) == (
        "https://helpdesk.example/hook",
        3,
        5.0,
        30.0,
    )


def test_load_webhook_follows_the_endpoints_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARE_ENDPOINTS", str(write(tmp_path, "ticket_webhook:\n  url: http://127.0.0.1:9/x\n")))

    webhook = load_webhook()

    assert webhook is not None and webhook.url == "http://127.0.0.1:9/x"


def test_the_repository_endpoints_file_has_no_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARE_ENDPOINTS", raising=False)
    endpoints = PROJECT_ROOT / "endpoints.yml"
    assert endpoints.is_file()
    assert "# ticket_webhook:" in endpoints.read_text(encoding="utf-8")  # the example is there, commented out

    assert load_webhook() is None
    assert load_webhook(endpoints) is None


@pytest.mark.parametrize(
    "section",
    [
        '"https://example.invalid/hook"',
        "{url: 'https://example.invalid', retries: -1}",
        "{url: 'https://example.invalid', timeout: zero}",
    ],
)
def test_a_broken_webhook_setting_is_ignored_not_fatal(tmp_path, section, caplog):
    path = tmp_path / "endpoints.yml"
    path.write_text(f"ticket_webhook: {section}\n")
    assert load_webhook(path) is None
    assert "Ignoring ticket_webhook" in caplog.text


# --- issue 14: signed, no redirects, bounded, a deadline ------------------------------------------------------


class Clock:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.pauses: List[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def test_webhook_body_is_signed(receiver: Receiver) -> None:
    import hashlib
    import hmac

    from customer_care.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature

    before = int(time.time())
    assert TicketWebhook(receiver.url, secret=SECRET, timeout=2).deliver(PAYLOAD, sleep=Sleeps()) is True

    [request] = receiver.requests
    headers = {name.lower(): value for name, value in request["headers"].items()}
    timestamp = headers[TIMESTAMP_HEADER.lower()]
    assert before <= int(timestamp) <= time.time() + 1
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER.lower()] == f"sha256={expected}"
    assert SECRET not in json.dumps(headers) and SECRET.encode() not in request["body"]
    # What a receiver does (README: "Verifying the ticket webhook"): the same check, and it refuses tampering,
    # another secret and an old timestamp (a replay).
    signature = headers[SIGNATURE_HEADER.lower()]
    assert verify_signature(SECRET, timestamp, request["body"], signature)
    assert not verify_signature(SECRET, timestamp, request["body"] + b" ", signature)
    assert not verify_signature("another secret", timestamp, request["body"], signature)
    assert not verify_signature(SECRET, timestamp, request["body"], signature, now=int(timestamp) + 301)
    assert not verify_signature(SECRET, "soon", request["body"], signature)


def test_every_attempt_is_signed_with_its_own_timestamp(receiver: Receiver) -> None:
    from customer_care.webhook import verify_signature

    receiver.statuses = [500, 200]
    assert (
        TicketWebhook(receiver.url, secret=SECRET, retries=1, timeout=2, backoff_seconds=1.1).deliver(
            PAYLOAD, sleep=time.sleep
        )
        is True
    )
    stamps = []
    for request in receiver.requests:
        headers = {name.lower(): value for name, value in request["headers"].items()}
        stamps.append(headers["x-larkspur-timestamp"])
        assert verify_signature(SECRET, stamps[-1], request["body"], headers["x-larkspur-signature"])
    assert len(set(stamps)) == 2


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_webhook_does_not_follow_redirects(receiver: Receiver, status: int, caplog: pytest.LogCaptureFixture) -> None:
    receiver.statuses = [status] * 5

    with caplog.at_level("WARNING", logger="customer_care.webhook"):
        assert (
            TicketWebhook(receiver.url, secret=SECRET, retries=3, timeout=2).deliver(PAYLOAD, sleep=Sleeps()) is False
        )

    assert [request["path"] for request in receiver.requests] == ["/hooks/larkspur"]  # never to the Location
    assert f"HTTP {status}" in caplog.text and "redirect" in caplog.text


def test_notifications_go_through_a_bounded_pool_that_drops_when_full(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.hold = threading.Event()
    webhook = TicketWebhook(receiver.url, secret=SECRET, retries=0, timeout=5, workers=2, queue_size=1)
    threads_before = set(threading.enumerate())

    with caplog.at_level("ERROR", logger="customer_care.webhook"):
        accepted = [webhook.notify({**PAYLOAD, "id": number}) for number in (1, 2, 3)]
        started = time.monotonic()
        dropped = webhook.notify({**PAYLOAD, "id": 4})  # two in flight, one waiting: no room for a fourth
        assert time.monotonic() - started < 0.5
    try:
        assert all(future is not None for future in accepted)
        assert dropped is None
        assert "queue is full" in caplog.text and "ticket 4" in caplog.text
        started_threads = [
            thread for thread in set(threading.enumerate()) - threads_before if thread.name.startswith("ticket-webhook")
        ]
        assert len(started_threads) == 2  # never a thread per ticket
    finally:
        receiver.hold.set()
    assert [future.result(timeout=10) for future in accepted] == [True, True, True]  # type: ignore[union-attr]
    assert sorted(json.loads(request["body"])["id"] for request in receiver.requests) == [1, 2, 3]


def test_delivery_stops_at_its_total_deadline_including_retries(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.statuses = [500] * 20
    clock = Clock()
    webhook = TicketWebhook(receiver.url, secret=SECRET, retries=10, timeout=2, total_timeout=5)

    with caplog.at_level("WARNING", logger="customer_care.webhook"):
        assert webhook.deliver(PAYLOAD, sleep=clock.sleep, clock=clock) is False

    assert clock.pauses == [1, 2]  # the next pause (4 s) would end past the 5 s deadline
    assert len(receiver.requests) == 3
    assert "gave up on ticket 7" in caplog.text


def test_a_slow_receiver_cannot_hold_a_delivery_past_its_deadline(receiver: Receiver) -> None:
    receiver.hold = threading.Event()
    started = time.monotonic()

    assert (
        TicketWebhook(receiver.url, secret=SECRET, retries=5, timeout=5, total_timeout=0.5).deliver(
            PAYLOAD, sleep=time.sleep
        )
        is False
    )

    assert time.monotonic() - started < 2
    assert len(receiver.requests) == 1


def test_the_secret_comes_from_the_environment_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "ticket_webhook:\n  url: https://helpdesk.example/hook\n")
    monkeypatch.delenv("TICKET_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("TICKET_WEBHOOK_SECRET_FILE", raising=False)

    assert load_webhook(path) is None  # never sent unsigned
    assert "TICKET_WEBHOOK_SECRET" in caplog.text

    secret_file = tmp_path / "webhook.secret"
    secret_file.write_text("from-a-file-secret-0123456789\n", encoding="utf-8")
    monkeypatch.setenv("TICKET_WEBHOOK_SECRET_FILE", str(secret_file))
    assert load_webhook(path).secret == "from-a-file-secret-0123456789"  # type: ignore[union-attr]

    monkeypatch.setenv("TICKET_WEBHOOK_SECRET", "from-the-environment-0123456789")
    assert load_webhook(path).secret == "from-the-environment-0123456789"  # type: ignore[union-attr]


def test_a_secret_in_endpoints_yml_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TICKET_WEBHOOK_SECRET", "from-the-environment-0123456789")
    path = write(tmp_path, "ticket_webhook:\n  url: https://helpdesk.example/hook\n  secret: committed-by-mistake\n")

    assert load_webhook(path) is None
    assert "secret" in caplog.text and "committed-by-mistake" not in caplog.text
