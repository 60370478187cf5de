import uuid
from typing import List

import pytest
import requests

from tools.servers import DEFAULT_MODEL, RunningAssistant, start_assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> RunningAssistant:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    running = start_assistant(DEFAULT_MODEL, tmp_path_factory.mktemp("assistant"))
    yield running
    running.stop()


class Customer:
    """One conversation through the REST channel."""

    def __init__(self, assistant: RunningAssistant) -> None:
        self.assistant = assistant
        self.sender = f"customer-{uuid.uuid4().hex[:10]}"

    def say(self, message: str) -> List[str]:
        response = requests.post(
            self.assistant.rest_webhook, json={"sender": self.sender, "message": message}, timeout=30
        )
        assert response.status_code == 200, response.text
        return [reply.get("text", "") for reply in response.json()]

    def says(self, message: str) -> str:
        return "\n".join(self.say(message))


@pytest.fixture
def customer(assistant) -> Customer:
    return Customer(assistant)
