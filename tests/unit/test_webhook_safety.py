"""The ticket webhook in front of an untrusted network (issue 14): every attempt signed with its own timestamp, no
redirects followed, a bounded pool of workers that drops what it has no room for, and a deadline for each delivery
that retries and a slow receiver cannot stretch."""

import json
import threading
import time
from typing import List

import pytest

from customer_care.webhook import TicketWebhook
from tests.unit.webhook_helpers import PAYLOAD, SECRET, Receiver, Sleeps

# No proxy between the tests and the loopback receiver, and a signing secret (the conftest's fixtures).
pytestmark = pytest.mark.usefixtures("no_proxy_for_loopback", "signing_secret")


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
