"""The production profile for real (tools.scaled): PostgreSQL, Redis, HAProxy, two Rasa processes, two action
servers, the NLU worker and two console processes, one of which talks to Rasa process 2 only."""

import shutil
import socket
import tempfile
from pathlib import Path
from typing import Iterator, List

import pytest

from tools.scaled import ScaledAssistant, ScaledSettings, start_scaled
from tools.scaled_services import missing_packages
from tools.servers import DEFAULT_MODEL, STAFFED_AGENT, add_agent, support_around_the_clock, wait_until_up


def consecutive_free_ports(count: int) -> int:
    """The first of `count` consecutive ports that are free on 127.0.0.1 now."""
    for base in range(21000, 60000, 97):
        probes: List[socket.socket] = []
        try:
            for port in range(base, base + count):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError("no free ports")


class ScaledUnderTest:
    def __init__(self, assistant: ScaledAssistant, second_console_url: str) -> None:
        self.assistant = assistant
        self.console_url = assistant.console_url  # through the load balancer
        self.second_console_url = second_console_url  # talks to Rasa process 2 only


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
