"""The action server `make run` starts (issue 14: "The action server listens on 0.0.0.0:5055 with no
authentication", "the action server runs it on its only thread")."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from rasa_sdk import Action

from addons import action_server
from addons.action_server import SECRET_HEADER, ThreadedActionExecutor, create_app, is_loopback
from tests.unit.sanic_serving import serving

SECRET = "a-secret-made-for-this-run"
TRACKER = {
    "sender_id": "t",
    "slots": {},
    "latest_message": {"text": "hi", "intent": {"name": "greet"}, "entities": []},
    "events": [],
    "paused": False,
    "followup_action": None,
    "active_loop": {},
    "latest_action_name": "action_listen",
}
RELEASE = threading.Event()


class SlowAction(Action):
    """Holds its worker thread until the test releases it, as a CPU-heavy action would."""

    def name(self) -> str:
        return "test_slow_action"

    def run(self, dispatcher, tracker, domain):
        RELEASE.wait(20)
        dispatcher.utter_message(text=f"done in {threading.current_thread().name}")
        return []


def call(name: str) -> dict:
    return {"next_action": name, "tracker": TRACKER, "domain": {}, "version": "3.6.2"}


def test_every_action_of_the_package_registers():
    executor = ThreadedActionExecutor(1)
    executor.register_package("actions")
    assert {
        "validate_track_order_form",
        "validate_cancel_order_form",
        "action_ask_complaint_text",
        "action_track_order",
    } <= set(executor.actions)


def test_calls_without_the_secret_are_refused():
    with serving(create_app(SECRET)) as url:
        assert requests.get(f"{url}/health", timeout=10).status_code == 200
        refused = requests.post(f"{url}/webhook", json=call("action_ask_complaint_text"), timeout=10)
        assert refused.status_code == 401 and "secret" in refused.json()["error"]
        wrong = requests.post(
            f"{url}/webhook", json=call("action_ask_complaint_text"), timeout=10, headers={SECRET_HEADER: "guess"}
        )
        assert wrong.status_code == 401
        answered = requests.post(
            f"{url}/webhook", json=call("action_ask_complaint_text"), timeout=10, headers={SECRET_HEADER: SECRET}
        )
        assert answered.status_code == 200
        assert answered.json()["responses"][0]["response"] == "utter_ask_complaint_description"


def test_malformed_calls_get_a_clear_4xx():
    with serving(create_app(SECRET)) as url:
        for body in (b"[1]", b"not json", b"[" * 30_000, b'{"next_action": "action_track_order"}'):
            response = requests.post(f"{url}/webhook", data=body, headers={SECRET_HEADER: SECRET}, timeout=10)
            assert response.status_code == 400, body[:20]
        missing = requests.post(
            f"{url}/webhook", json=call("no_such_action"), headers={SECRET_HEADER: SECRET}, timeout=10
        )
        assert missing.status_code == 404


def test_a_slow_action_holds_up_nobody_else():
    RELEASE.clear()
    with serving(create_app(SECRET)) as url, ThreadPoolExecutor(1) as pool:
        slow = pool.submit(
            requests.post, f"{url}/webhook", json=call("test_slow_action"), headers={SECRET_HEADER: SECRET}, timeout=30
        )
        time.sleep(0.3)
        other = requests.post(
            f"{url}/webhook", json=call("action_ask_complaint_text"), headers={SECRET_HEADER: SECRET}, timeout=10
        )
        assert other.status_code == 200 and not slow.done()  # answered while the slow one still runs
        RELEASE.set()
        assert "done in action" in slow.result().json()["responses"][0]["text"]


def test_another_address_needs_a_secret(monkeypatch, capsys):
    monkeypatch.delenv(action_server.SECRET_VARIABLE, raising=False)
    monkeypatch.delenv(f"{action_server.SECRET_VARIABLE}_FILE", raising=False)
    assert action_server.main(["--interface", "0.0.0.0", "--port", "1"]) == 2
    assert "shared secret" in capsys.readouterr().err
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")


def test_rasa_run_actions_listens_on_loopback_by_default(monkeypatch):
    """`rasa run actions` reads SANIC_HOST after importing the actions package (0.0.0.0 when unset on main)."""
    import importlib

    import actions

    monkeypatch.delenv("SANIC_HOST", raising=False)
    importlib.reload(actions)
    import os

    assert os.environ["SANIC_HOST"] == "127.0.0.1"
