"""The people of the hand-over tests: a customer in the website widget (socket.io) and the staffed servers'
agent in the console."""

import queue
import time
from typing import List, Optional

import jwt
import socketio

from tests.e2e.conftest import ConsoleUser
from tools.servers import STAFFED_AGENT

AGENT_USERNAME, _, AGENT_PASSWORD = STAFFED_AGENT


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
        self.confirmations: queue.Queue[str] = queue.Queue()  # the session tokens the server confirms
        self.client = socketio.Client()
        self.client.on("bot_uttered", lambda message: self.received.put(message.get("text", "")))
        self.session_id: Optional[str] = None
        self.client.on("session_confirm", self.confirmations.put)
        # On every connection, a reconnection too, the widget asks for its session again with the token it keeps.
        self.client.on("connect", lambda: self.client.emit("session_request", {"session_id": self.session_id}))
        self.client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
        self.session_id = self.confirmations.get(timeout=30)
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
