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

PAYLOAD = {"id": 7, "conversation_id": "conv-1", "priority": "urgent", "summary": "The kettle caught fire",
           "customer_email": "ann@example.com", "created_at": "2026-03-10T12:00:00+00:00"}


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


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.requests.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                       "body": body})
                status = state.statuses.pop(0) if state.statuses else 200
            state.arrived.set()
            if state.hold is not None:
                state.hold.wait(timeout=5)
            self.send_response(status)
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

    assert TicketWebhook(receiver.url, timeout=2).deliver(PAYLOAD, sleep=sleep) is True

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hooks/larkspur"
    assert request["content_type"] == "application/json"
    assert json.loads(request["body"]) == PAYLOAD
    assert sleep.pauses == []


def test_deliver_retries_after_server_errors_and_succeeds_on_the_third_attempt(receiver: Receiver) -> None:
    receiver.statuses = [500, 503, 200]
    sleep = Sleeps()

    assert TicketWebhook(receiver.url, retries=3, timeout=2).deliver(PAYLOAD, sleep=sleep) is True

    assert len(receiver.requests) == 3
    assert [json.loads(request["body"]) for request in receiver.requests] == [PAYLOAD] * 3
    assert sleep.pauses == [1, 2]


def test_deliver_gives_up_after_retries_plus_one_attempts(receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    receiver.statuses = [500] * 10
    sleep = Sleeps()

    with caplog.at_level("WARNING", logger="customer_care.webhook"):
        assert TicketWebhook(receiver.url, retries=3, timeout=2).deliver(PAYLOAD, sleep=sleep) is False

    assert len(receiver.requests) == 4
    assert sleep.pauses == [1, 2, 4]  # growing pauses, none after the last attempt
    assert "gave up on ticket 7 after 4 attempts" in caplog.text


def test_deliver_backoff_scales_with_backoff_seconds(receiver: Receiver) -> None:
    receiver.statuses = [500] * 10
    sleep = Sleeps()

    assert TicketWebhook(receiver.url, retries=2, timeout=2, backoff_seconds=0.5).deliver(PAYLOAD, sleep=sleep) is False

    assert len(receiver.requests) == 3
    assert sleep.pauses == [0.5, 1.0]


def test_deliver_without_retries_tries_once(receiver: Receiver) -> None:
    receiver.statuses = [502, 200]
    sleep = Sleeps()

    assert TicketWebhook(receiver.url, retries=0, timeout=2).deliver(PAYLOAD, sleep=sleep) is False

    assert len(receiver.requests) == 1
    assert sleep.pauses == []


def test_deliver_retries_client_errors_too(receiver: Receiver) -> None:
    receiver.statuses = [404, 200]
    sleep = Sleeps()

    assert TicketWebhook(receiver.url, retries=1, timeout=2).deliver(PAYLOAD, sleep=sleep) is True
    assert len(receiver.requests) == 2
    assert sleep.pauses == [1]


def test_deliver_to_a_closed_port_returns_false_without_raising() -> None:
    sleep = Sleeps()
    webhook = TicketWebhook(f"http://127.0.0.1:{closed_port()}/hook", retries=2, timeout=1)

    assert webhook.deliver(PAYLOAD, sleep=sleep) is False
    assert sleep.pauses == [1, 2]


def test_deliver_counts_a_receiver_slower_than_the_timeout_as_a_failure(receiver: Receiver) -> None:
    receiver.hold = threading.Event()  # never answers in time
    sleep = Sleeps()

    started = time.monotonic()
    assert TicketWebhook(receiver.url, retries=1, timeout=0.2).deliver(PAYLOAD, sleep=sleep) is False

    assert time.monotonic() - started < 3
    assert len(receiver.requests) == 2
    assert sleep.pauses == [1]


# --- notify --------------------------------------------------------------------------------------------------


def test_notify_returns_a_started_thread_at_once_while_the_receiver_is_blocked(receiver: Receiver) -> None:
    receiver.hold = threading.Event()
    webhook = TicketWebhook(receiver.url, retries=0, timeout=5)

    started = time.monotonic()
    thread = webhook.notify(PAYLOAD)
    returned_after = time.monotonic() - started

    try:
        assert isinstance(thread, threading.Thread)
        assert thread.daemon
        assert receiver.arrived.wait(timeout=5), "the background thread never reached the receiver"
        assert thread.is_alive()  # still waiting for the blocked receiver
        assert returned_after < 0.5
    finally:
        receiver.hold.set()
        thread.join(timeout=5)

    assert not thread.is_alive()
    assert [json.loads(request["body"]) for request in receiver.requests] == [PAYLOAD]


def test_notify_to_a_dead_receiver_does_not_raise_in_the_caller() -> None:
    webhook = TicketWebhook(f"http://127.0.0.1:{closed_port()}/hook", retries=0, timeout=1)

    thread = webhook.notify(PAYLOAD)
    thread.join(timeout=5)

    assert not thread.is_alive()


# --- configuration -------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "endpoints.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_webhook_without_the_file_is_none(tmp_path: Path) -> None:
    assert load_webhook(tmp_path / "missing.yml") is None


@pytest.mark.parametrize("text", [
    "",
    "action_endpoint:\n  url: http://localhost:5055/webhook\n",
    "ticket_webhook:\n",
    "ticket_webhook: {}\n",
    "ticket_webhook:\n  retries: 2\n",
    "ticket_webhook:\n  url: ''\n",
    "ticket_webhook:\n  url: '   '\n",
    "ticket_webhook:\n  url:\n  retries: 2\n",
])
def test_load_webhook_without_a_url_is_none(tmp_path: Path, text: str) -> None:
    assert load_webhook(write(tmp_path, text)) is None


def test_load_webhook_reads_url_retries_and_timeout(tmp_path: Path) -> None:
    path = write(tmp_path, "action_endpoint:\n  url: http://localhost:5055/webhook\n"
                           "ticket_webhook:\n  url: ' https://helpdesk.example/hooks/larkspur '\n"
                           "  retries: 5\n  timeout: 2.5\n")

    webhook = load_webhook(path)

    assert webhook == TicketWebhook(url="https://helpdesk.example/hooks/larkspur", retries=5, timeout=2.5)


def test_load_webhook_defaults_retries_and_timeout(tmp_path: Path) -> None:
    webhook = load_webhook(write(tmp_path, "ticket_webhook:\n  url: https://helpdesk.example/hook\n"))

    assert webhook is not None
    assert (webhook.url, webhook.retries, webhook.timeout) == ("https://helpdesk.example/hook", 3, 5.0)


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


@pytest.mark.parametrize("section", ['"https://example.invalid/hook"', "{url: 'https://example.invalid', retries: -1}",
                                     "{url: 'https://example.invalid', timeout: zero}"])
def test_a_broken_webhook_setting_is_ignored_not_fatal(tmp_path, section, caplog):
    path = tmp_path / "endpoints.yml"
    path.write_text(f"ticket_webhook: {section}\n")
    assert load_webhook(path) is None
    assert "Ignoring ticket_webhook" in caplog.text
