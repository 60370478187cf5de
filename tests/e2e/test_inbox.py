"""Real conversations through the real servers reach the review inbox with their flags (via Rasa's SQL event
broker); a trainer labels them through the console API; the export is valid Rasa training data."""

import shutil
import subprocess
import uuid

import pytest
import requests

from addons.nlu_export import export_examples
from customer_care.agents import Role
from customer_care.inbox import Inbox
from customer_care.settings import PROJECT_ROOT
from tests.e2e.conftest import ConsoleUser
from tools.servers import VENV_BIN, RunningAssistant, add_agent, start_staffed_assistant

TRAINER = ("tara", "Tara Trainer", "another long password")


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> RunningAssistant:
    running = start_staffed_assistant(tmp_path_factory.mktemp("inbox"))
    add_agent(running.env, *TRAINER, role=Role.TRAINER)
    yield running
    running.stop()


def say(servers: RunningAssistant, sender: str, text: str) -> str:
    response = requests.post(servers.rest_webhook, json={"sender": sender, "message": text}, timeout=60)
    assert response.status_code == 200, response.text
    return "\n".join(reply.get("text", "") for reply in response.json())


class Trainer(ConsoleUser):
    def __init__(self, console_url: str) -> None:
        username, _, password = TRAINER
        super().__init__(console_url, username, password, page="/review")

    def groups(self, **query):
        response = self.http.get(f"{self.url}/api/review/groups", params=query, timeout=30)
        assert response.ok, response.text
        return response.json()["groups"]

    def label(self, keys, kind, intent=None):
        response = self.post("/api/review/label", {"keys": keys, "kind": kind, "intent": intent})
        assert response.ok, response.text
        return response.json()["labelled"]


def test_real_conversations_are_flagged_labelled_and_exported(servers, tmp_path):
    confused = f"inbox-{uuid.uuid4().hex[:6]}"
    say(servers, confused, "blorp zzzt qwv")  # not understood, or no shop's business: a fallback either way
    assert "member of our team" in say(servers, confused, "can I talk to a human please")
    assert "reply here in this chat" in say(servers, confused, "no")  # nobody online: no e-mail given, ticket open
    complainer = f"inbox-{uuid.uuid4().hex[:6]}"
    assert "So, if I understand correctly" in say(servers, complainer, "the blender I ordered arrived broken")
    assert "What did I get wrong?" in say(servers, complainer, "no")

    trainer = Trainer(servers.console_url)
    escalated = {group["text"]: group for group in trainer.groups(flag="escalated")}
    assert {"blorp zzzt qwv", "can I talk to a human please"} <= set(escalated)
    assert "fallback" in escalated["blorp zzzt qwv"]["flags"]
    assert "fallback" in {flag for group in trainer.groups(flag="fallback") for flag in group["flags"]}
    denied = {group["text"]: group for group in trainer.groups(flag="paraphrase_denied")}
    assert "the blender I ordered arrived broken" in denied

    assert trainer.label([escalated["blorp zzzt qwv"]["key"]], "out_of_scope") == 1
    assert trainer.label([escalated["can I talk to a human please"]["key"]], "intent", "contact_human_agent") == 1
    assert trainer.label([denied["the blender I ordered arrived broken"]["key"]], "intent", "complaint") == 1

    # Export into a copy of the project, then let Rasa validate it.
    project = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "data", project / "data")
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, project / name)
    inbox = Inbox(f"sqlite:///{servers.work_dir / 'events.db'}", f"sqlite:///{servers.work_dir / 'care.db'}")
    try:
        result = export_examples(
            inbox.approved_examples(),
            project / "data" / "nlu",
            project / "domain.yml",
            project / "data" / "nlu" / "from_conversations.yml",
        )
    finally:
        inbox.close()
    assert result.written + result.skipped_existing == 3
    exported = (project / "data" / "nlu" / "from_conversations.yml").read_text()
    assert "blorp zzzt qwv" in exported and "the blender I ordered arrived broken" in exported
    validate = subprocess.run(
        [
            str(VENV_BIN / "rasa"),
            "data",
            "validate",
            "--fail-on-warnings",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--config",
            "config.yml",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert validate.returncode == 0, validate.stdout[-2000:] + validate.stderr[-2000:]
