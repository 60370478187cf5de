"""The production profile for real (tools.scaled): PostgreSQL, Redis, HAProxy, two Rasa processes, two action
servers, the NLU worker and two console processes, one of which talks to Rasa process 2 only."""

import json
import shutil
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from tools.scaled import ScaledAssistant, ScaledSettings, start_scaled
from tools.scaled_services import missing_packages
from tools.servers import (
    DEFAULT_MODEL,
    STAFFED_AGENT,
    add_agent,
    consecutive_free_ports,
    support_around_the_clock,
    wait_until_up,
)


class ScaledUnderTest:
    def __init__(self, assistant: ScaledAssistant, second_console_url: str) -> None:
        self.assistant = assistant
        self.console_url = assistant.console_url  # through the load balancer
        self.second_console_url = second_console_url  # talks to Rasa process 2 only

    def events(self, conversation_id: str, instance: int = 1) -> List[Dict[str, Any]]:
        """The conversation's events, as Rasa process `instance` reads them from the tracker store."""
        assistant = self.assistant
        url = f"{assistant.instance_url(instance)}/conversations/{conversation_id}/tracker"
        with urllib.request.urlopen(f"{url}?token={assistant.api_token}", timeout=30) as response:
            return list(json.load(response)["events"])

    def user_texts(self, conversation_id: str) -> List[str]:
        return [event["text"] for event in self.events(conversation_id) if event["event"] == "user"]


@pytest.fixture(scope="session")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledUnderTest]:
    missing = missing_packages()
    if missing:
        pytest.skip(f"the scaled profile needs Debian's {', '.join(missing)} (apt-get install -y {' '.join(missing)})")
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    work: Path = tmp_path_factory.mktemp("scaled")
    base = consecutive_free_ports(12)
    settings = ScaledSettings(
        rasa_instances=2,
        action_instances=2,
        rasa_port=base,
        console_port=base + 1,
        nlu_port=base + 2,
        rasa_instance_port=base + 3,  # and base + 4
        action_port=base + 5,  # the action servers on base + 6 and base + 7
        postgres_port=base + 8,
        redis_port=base + 9,
        public_host="127.0.0.1",
        work_dir=work,
        postgres_dir=Path(tempfile.mkdtemp(prefix="larkspur-postgres-")),
        model=DEFAULT_MODEL,
        extra_env=support_around_the_clock(work),
    )
    assistant = start_scaled(settings)
    try:
        add_agent(assistant.env, *STAFFED_AGENT)
        second_console = assistant.start_console("console2", base + 10, rasa_url=assistant.instance_url(2))
        wait_until_up([f"{second_console}/login"], 60, [assistant.processes["console2"]])
        yield ScaledUnderTest(assistant, second_console)
    finally:
        assistant.stop()
        shutil.rmtree(settings.postgres_dir, ignore_errors=True)
