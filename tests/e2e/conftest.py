import re
import uuid
from typing import List

import pytest
import requests

from tools.servers import DEFAULT_MODEL, MANY_CUSTOMERS_ON_ONE_ADDRESS, RunningAssistant, start_assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> RunningAssistant:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    running = start_assistant(
        DEFAULT_MODEL, tmp_path_factory.mktemp("assistant"), extra_env=MANY_CUSTOMERS_ON_ONE_ADDRESS
    )
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


class ConsoleUser:
    """Someone logged into the agent console as a browser is: session cookie, and the CSRF token of its pages
    sent with every POST."""

    def __init__(self, console_url: str, username: str, password: str, page: str = "/") -> None:
        self.url = console_url
        self.http = requests.Session()
        login_page = self.http.get(f"{console_url}/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
        response = self.http.post(
            f"{console_url}/login", data={"username": username, "password": password, "csrf_token": token}, timeout=30
        )
        assert response.ok, response.text
        page_html = self.http.get(f"{console_url}{page}", timeout=10).text
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page_html).group(1)

    def post(self, path: str, body: dict) -> requests.Response:
        return self.http.post(f"{self.url}{path}", json=body, headers={"X-CSRF-Token": self.csrf}, timeout=30)
