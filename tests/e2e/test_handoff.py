"""Escalation with the real servers: a customer on socket.io asks for a person, an agent answers from the
console, the bot stays silent while paused, and the hand-back brings the bot back with the rating question."""

import queue
import time
from typing import List

import jwt
import pytest
import socketio

from tests.e2e.conftest import ConsoleUser
from tools.servers import STAFFED_AGENT, RunningAssistant, start_staffed_assistant

AGENT_USERNAME, _, AGENT_PASSWORD = STAFFED_AGENT


@pytest.fixture(scope="module")
def staffed(tmp_path_factory) -> RunningAssistant:
    """All servers and the console, with support open around the clock so an agent can be on duty."""
    running = start_staffed_assistant(tmp_path_factory.mktemp("staffed"))
    yield running
    running.stop()


class Agent(ConsoleUser):
    """The staffed servers' agent, logged into the console."""

    def __init__(self, console_url: str) -> None:
        super().__init__(console_url, AGENT_USERNAME, AGENT_PASSWORD)

    def tickets(self) -> List[dict]:
        return self.http.get(f"{self.url}/api/tickets", timeout=10).json()["tickets"]

    def act(self, ticket_id: int, action: str, **body) -> dict:
        response = self.post(f"/api/tickets/{ticket_id}/{action}", body)
        assert response.ok, response.text
        return response.json()

    def transcript(self, ticket_id: int) -> List[dict]:
        return self.http.get(f"{self.url}/api/tickets/{ticket_id}/transcript", timeout=10).json()["lines"]


class WidgetCustomer:
    """A customer in the website widget: Rasa's socket.io channel with session persistence. As the widget does,
    it asks for a new session and keeps the token the server confirms."""

    def __init__(self, rasa_url: str) -> None:
        self.received: queue.Queue[str] = queue.Queue()
        confirmed: queue.Queue[str] = queue.Queue()
        self.client = socketio.Client()
        self.client.on("bot_uttered", lambda message: self.received.put(message.get("text", "")))
        self.client.on("session_confirm", confirmed.put)
        self.client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
        self.client.emit("session_request", {"session_id": None})
        self.session_id = confirmed.get(timeout=30)
        # The conversation the server chose, as the console shows it (the token names it; the test reads the
        # claim without the server's key).
        self.conversation_id = jwt.decode(self.session_id, options={"verify_signature": False})["cid"]

    def say(self, text: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    def replies(self, until: str, timeout: float = 30) -> List[str]:
        """Bot messages until one contains `until`."""
        seen: List[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                seen.append(self.received.get(timeout=0.5))
            except queue.Empty:
                continue
            if until in seen[-1]:
                return seen
        raise AssertionError(f"no message containing {until!r} within {timeout} s; got {seen}")

    def silence(self, seconds: float) -> List[str]:
        time.sleep(seconds)
        messages = []
        while not self.received.empty():
            messages.append(self.received.get())
        return messages

    def close(self) -> None:
        self.client.disconnect()


def test_agent_takes_over_the_chat_and_hands_it_back(staffed):
    agent = Agent(staffed.console_url)
    customer = WidgetCustomer(staffed.rasa_url)
    try:
        customer.say("can I talk to a real person please")
        replies = customer.replies(until="connecting you")
        assert any("member of our team" in reply for reply in replies)

        [ticket] = [t for t in agent.tickets() if t["conversation_id"] == customer.conversation_id]
        assert ticket["status"] == "waiting" and ticket["reason"] == "customer_asked"
        assert ticket["priority"] == "normal" and "real person" in ticket["summary"]

        agent.act(ticket["id"], "claim")
        agent.act(ticket["id"], "reply", text="Hello, I'm Sam. How can I help?")
        assert (
            customer.replies(until="Hello, I'm Sam")[-1] == "Sam Lee (customer care): Hello, I'm Sam. How can I help?"
        )

        # Paused: the bot says nothing, but the agent sees the message.
        customer.say("my parcel never came")
        assert customer.silence(4) == []
        lines = agent.transcript(ticket["id"])
        assert {"sender": "customer", "text": "my parcel never came"}.items() <= lines[-1].items()
        assert any(line["sender"] == "agent" and line.get("agent_name") == "Sam Lee" for line in lines)

        agent.act(ticket["id"], "hand-back")
        back = customer.replies(until="How would you rate this chat")
        assert any("handed this chat back to me" in reply for reply in back)
        assert all(t["id"] != ticket["id"] for t in agent.tickets())

        customer.say("5")
        assert customer.replies(until="anything you'd like to add")
        customer.say("no")
        assert customer.replies(until="rating this chat 5 out of 5")
        customer.say("what payment methods do you accept?")
        assert customer.replies(until="PayPal")
    finally:
        customer.close()


def test_a_script_message_reaches_the_console_as_text(staffed):
    agent = Agent(staffed.console_url)
    customer = WidgetCustomer(staffed.rasa_url)
    try:
        customer.say("I need a human")
        customer.replies(until="connecting you")
        customer.say("<script>alert(1)</script>")
        customer.silence(2)
        [ticket] = [t for t in agent.tickets() if t["conversation_id"] == customer.conversation_id]
        page = agent.http.get(f"{staffed.console_url}/tickets/{ticket['id']}", timeout=10).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
        agent.act(ticket["id"], "resolve", outcome="Explained our returns policy")
        assert all(t["id"] != ticket["id"] for t in agent.tickets())
    finally:
        customer.close()
