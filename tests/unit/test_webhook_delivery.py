"""Delivering a ticket to the help desk's webhook: a JSON POST, retried with growing pauses, never raising; and
notify, which hands the delivery to a background worker and returns at once."""

import json
import socket
import threading
import time
from typing import List

import pytest

from customer_care.webhook import TicketWebhook
from tests.unit.webhook_helpers import PAYLOAD, SECRET, Receiver, Sleeps

# No proxy between the tests and the loopback receiver, and a signing secret (the conftest's fixtures).
pytestmark = pytest.mark.usefixtures("no_proxy_for_loopback", "signing_secret")


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
