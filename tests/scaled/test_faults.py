"""Faults in the production profile: the database restarts, Redis goes away, a Rasa process dies under load.
The process is killed last: the other modules' tests don't need it, and it is not started again."""

import threading
import time
from typing import List, Tuple

import requests

from connectors.limits import UNAVAILABLE
from tests.e2e.people import WidgetCustomer
from tests.scaled.conftest import ScaledUnderTest

CLOSED = -1  # a request whose connection the balancer closed without an answer


def say(scaled: ScaledUnderTest, sender: str, text: str, timeout: float = 60) -> List[str]:
    response = requests.post(
        f"{scaled.assistant.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
    )
    assert response.status_code == 200, response.text
    return [reply.get("text", "") for reply in response.json()]


def test_turns_before_a_database_restart_are_kept_and_the_next_turn_works(scaled: ScaledUnderTest) -> None:
    postgres = scaled.assistant.postgres
    assert postgres is not None
    assert any("PayPal" in text for text in say(scaled, "through-a-restart", "do you take paypal"))
    assert say(scaled, "through-a-restart", "how long do I have to return something?")
    postgres.stop(mode="immediate")  # as a crash: no clean shutdown
    postgres.start()
    for _ in range(4):  # the next turns, whichever Rasa process and pooled connection they get
        assert any("PayPal" in text for text in say(scaled, "through-a-restart", "what payment methods do you accept?"))
    said = scaled.user_texts("through-a-restart")
    assert said[:2] == ["do you take paypal", "how long do I have to return something?"] and len(said) == 6


def test_without_redis_the_customer_is_asked_to_send_again_and_the_log_says_why(scaled: ScaledUnderTest) -> None:
    redis = scaled.assistant.redis
    assert redis is not None
    redis.stop()
    try:
        began = time.monotonic()
        assert say(scaled, "redis-is-down", "do you take paypal", timeout=30) == [UNAVAILABLE]
        assert time.monotonic() - began < 15  # an answer, not a hang
        logs = scaled.assistant.log("rasa1") + scaled.assistant.log("rasa2")
        assert "Could not run the turn of a message in conversation redis-is-down" in logs
        assert "lock store (Redis) can't be reached" in logs
    finally:
        redis.start()
    assert any("PayPal" in text for text in say(scaled, "redis-is-down", "do you take paypal"))


def test_a_rasa_process_killed_under_load(scaled: ScaledUnderTest) -> None:
    assistant = scaled.assistant
    # The socket goes where HAProxy sends this client address; ask HAProxy which process that is.
    victim = requests.get(f"{assistant.url}/socket.io/?EIO=4&transport=polling", timeout=10).headers["X-Served-By"]
    customer = WidgetCustomer(assistant.url)
    results: List[Tuple[float, float, int]] = []  # (sent, answered, status) of every REST request
    stop = threading.Event()

    def chat(number: int) -> None:
        sender = f"under-load-{number}"
        while not stop.is_set():
            sent = time.monotonic()
            try:
                status = requests.post(
                    f"{assistant.url}/webhooks/rest/webhook",
                    json={"sender": sender, "message": "what payment methods do you accept?"},
                    timeout=60,
                ).status_code
            except requests.ConnectionError:
                status = CLOSED  # the connection ended without an answer: the client knows at once
            except requests.RequestException:
                status = 0  # a timeout: the hang this test is here to catch
            results.append((sent, time.monotonic(), status))

    try:
        customer.say("what payment methods do you accept?")
        customer.replies(until="PayPal")
        threads = [threading.Thread(target=chat, args=(number,)) for number in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        assistant.kill(victim)
        killed_at = time.monotonic()  # the process is gone: what was sent before is in flight, after it is not
        time.sleep(8)
        stop.set()
        for thread in threads:
            thread.join()

        after_kill = [(sent, status) for sent, _, status in results if sent > killed_at]
        in_flight = [status for sent, answered, status in results if sent <= killed_at < answered]
        refused = [(round(sent - killed_at, 3), status) for sent, status in after_kill if status != 200]
        assert after_kill and not refused, refused  # (seconds after the kill it was sent, status)
        assert all(status in (200, 502, 503, CLOSED) for status in in_flight), in_flight  # answered, or an error

        # The widget reconnects (to the other process), asks for its session again and the chat goes on.
        customer.confirmations.get(timeout=30)
        customer.say("do you take paypal")
        customer.replies(until="PayPal")
        said = scaled.user_texts(customer.conversation_id)
        assert said == ["what payment methods do you accept?", "do you take paypal"]
    finally:
        stop.set()
        customer.close()
