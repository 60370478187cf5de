"""Start the real action server and Rasa server as subprocesses, for end-to-end tests and benchmarks.

python -m tools.servers wait URL [URL ...] --timeout 120   # exit 0 once every URL answers
"""

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

from addons.action_server import SECRET_HEADER as ACTION_SECRET_HEADER
from addons.action_server import SECRET_VARIABLE as ACTION_SECRET_VARIABLE
from addons.nlu_server import TOKEN_VARIABLE as NLU_TOKEN_VARIABLE
from connectors.limits import MESSAGE_BURST, MESSAGES_PER_MINUTE
from customer_care.agents import Role
from customer_care.identity import CUSTOMER_TOKEN_KEY, SESSION_KEY
from customer_care.sample_orders import seed_demo_orders
from customer_care.settings import PROJECT_ROOT

VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
DEFAULT_MODEL = PROJECT_ROOT / "models" / "larkspur.tar.gz"


def client_addresses() -> Iterator[str]:
    """Loopback addresses for simulated clients, one each: 127.1.0.1, 127.1.0.2, ... (Linux routes all of
    127.0.0.0/8 to the loopback). The channels limit messages per client address, and real customers each come
    from their own, so tests and benchmarks that play many customers give each one an address."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.1.0.1", 0))
        except OSError as error:
            raise RuntimeError(
                "simulated customers need to send from 127.1.0.0/16 (Linux routes 127.0.0.0/8 to "
                f"the loopback interface): {error}"
            ) from None
    number = 0
    while True:
        yield f"127.1.{number // 254 % 254}.{number % 254 + 1}"
        number += 1


# For the end-to-end and browser tests, whose many customers all come from 127.0.0.1 (Chromium can't send from
# another address): a message rate per address that one office of them would not reach. The rate itself is
# tested in tests/unit/test_channels.py and, against the real servers at their defaults, in tests/abuse.
MANY_CUSTOMERS_ON_ONE_ADDRESS = {MESSAGES_PER_MINUTE: "6000", MESSAGE_BURST: "200"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def wait_until_up(urls: Sequence[str], timeout: float, processes: Sequence[subprocess.Popen] = ()) -> None:
    """Block until every URL answers with a non-5xx status; raise if a process dies or time runs out."""
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        for process in processes:
            if process.poll() is not None:
                args = process.args
                shown = " ".join(map(str, args[:3])) if isinstance(args, (list, tuple)) else str(args)
                raise RuntimeError(f"{shown} exited with {process.returncode}")
        url = pending[0]
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    pending.pop(0)
                    continue
        except (TimeoutError, urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.5)


@dataclass
class RunningAssistant:
    rasa_url: str
    action_url: str
    api_token: str
    work_dir: Path
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    started_in_seconds: float = 0.0
    console_url: Optional[str] = None
    nlu_url: Optional[str] = None
    env: Dict[str, str] = field(default_factory=dict)  # the servers' environment (database, profile)

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def server_pids(self) -> Dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log(self, name: str) -> str:
        path = self.work_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> "RunningAssistant":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_assistant(
    model: Path = DEFAULT_MODEL,
    work_dir: Optional[Path] = None,
    project_dir: Path = PROJECT_ROOT,
    with_actions: bool = True,
    timeout: float = 240,
    with_console: bool = False,
    extra_env: Optional[Dict[str, str]] = None,
    tracker_store_type: str = "addons.tracker_store.LeanSQLTrackerStore",
    nlu_worker: bool = True,
) -> RunningAssistant:
    """Start the servers `make run` starts (the action server, the NLU worker, the Rasa server, and the agent
    console if asked) on free ports with their own databases in `work_dir`; wait until they answer.
    A project without our add-ons (the benchmark's stock bot) takes `tracker_store_type="SQL"`, `nlu_worker=False`.
    """
    work_dir = Path(work_dir or tempfile.mkdtemp(prefix="larkspur-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port, console_port, nlu_port = free_port(), free_port(), free_port(), free_port()
    token = secrets.token_urlsafe(16)  # may start with "-": passed as --auth-token=TOKEN so argparse takes it
    endpoints = work_dir / "endpoints.yml"
    endpoint_lines = [
        "tracker_store:",
        f"  type: {tracker_store_type}",
        '  dialect: "sqlite"',
        f'  db: "{work_dir / "tracker.db"}"',
        "event_broker:",
        "  type: SQL",
        '  dialect: "sqlite"',
        f'  db: "{work_dir / "events.db"}"',
    ]
    if with_actions:
        endpoint_lines = [
            "action_endpoint:",
            f'  url: "http://127.0.0.1:{action_port}/webhook"',
            "  headers:",
            f"    {ACTION_SECRET_HEADER}: ${{{ACTION_SECRET_VARIABLE}}}",
        ] + endpoint_lines
    if nlu_worker:
        endpoint_lines += ["nlu:", f'  url: "http://127.0.0.1:{nlu_port}"', f"  token: ${{{NLU_TOKEN_VARIABLE}}}"]
    endpoints.write_text("\n".join(endpoint_lines) + "\n")
    # Secrets in the environment, as scripts/run.sh passes them: none on a command line.
    env = dict(
        os.environ,
        CARE_VAR_DIR=str(work_dir),
        PYTHONUNBUFFERED="1",
        RASA_API_TOKEN=token,
        **{
            ACTION_SECRET_VARIABLE: secrets.token_urlsafe(24),
            SESSION_KEY: secrets.token_urlsafe(48),
            CUSTOMER_TOKEN_KEY: secrets.token_urlsafe(48),
        },
        LARKSPUR_DEMO_SIGN_IN="1",
    )
    env.update(extra_env or {})
    if nlu_worker:
        env[NLU_TOKEN_VARIABLE] = secrets.token_urlsafe(16)
    for setting in ("CARE_DATABASE_URL", "CARE_EVENTS_URL"):
        env.pop(setting, None)  # every server uses the databases in work_dir
    if with_actions:  # the demo's sample orders, as `make run` gives them (the action server never seeds them)
        seed_demo_orders(Path(env.get("ORDERS_DB") or work_dir / "orders.db"))
    # The launchers (addons.*) come from this repository, also for another project (the benchmark's stock bot).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))

    credentials = project_dir / "credentials.yml"
    if with_console:
        env.update(RASA_URL=f"http://127.0.0.1:{rasa_port}")
        credentials = _credentials_allowing(
            credentials, f"http://127.0.0.1:{console_port}", work_dir / "credentials.yml"
        )

    began = time.monotonic()
    processes: Dict[str, subprocess.Popen] = {}
    commands = []
    if with_actions:
        commands.append(
            ("actions", [str(VENV_BIN / "python"), "-m", "addons.action_server", "--port", str(action_port)])
        )
    if nlu_worker:
        commands.append(
            (
                "nlu",
                [str(VENV_BIN / "python"), "-m", "addons.nlu_server", "--model", str(model), "--port", str(nlu_port)],
            )
        )
    commands.append(
        (
            "rasa",
            [
                str(VENV_BIN / "python"),
                "-m",
                "addons.rasa_server",
                "--enable-api",
                "--port",
                str(rasa_port),
                "--interface",
                "127.0.0.1",
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(credentials),
                "--model",
                str(model),
            ],
        )
    )
    if with_console:
        commands.append(
            (
                "console",
                [
                    str(VENV_BIN / "python"),
                    "-m",
                    "console",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(console_port),
                ],
            )
        )
    for name, command in commands:
        log = open(work_dir / f"{name}.log", "wb")
        processes[name] = subprocess.Popen(
            command, cwd=project_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    running = RunningAssistant(
        f"http://127.0.0.1:{rasa_port}",
        f"http://127.0.0.1:{action_port}",
        token,
        work_dir,
        processes,
        env=env,
        console_url=f"http://127.0.0.1:{console_port}" if with_console else None,
        nlu_url=f"http://127.0.0.1:{nlu_port}" if nlu_worker else None,
    )
    urls = [f"{running.rasa_url}/status?token={token}"]
    if with_actions:
        urls.append(f"{running.action_url}/health")
    if nlu_worker:
        urls.append(f"{running.nlu_url}/status")
    if with_console:
        urls.append(f"{running.console_url}/login")
    try:
        wait_until_up(urls, timeout, list(processes.values()))
        _wait_for_model(running, timeout)
    except Exception:
        running.stop()
        sys.stderr.write(
            running.log("rasa")[-3000:]
            + running.log("actions")[-2000:]
            + running.log("nlu")[-2000:]
            + running.log("console")[-2000:]
        )
        raise
    running.started_in_seconds = time.monotonic() - began
    return running


STAFFED_AGENT = ("sam", "Sam Lee", "a long enough password")  # username, display name, password


def support_around_the_clock(work_dir: Path) -> Dict[str, str]:
    """The environment of servers whose support is open around the clock, so that an agent who logs in is on
    duty whatever the time (a copy of store_profile.yml in `work_dir`), and whose many customers all come from
    127.0.0.1."""
    import yaml

    profile = yaml.safe_load((PROJECT_ROOT / "store_profile.yml").read_text())
    profile["support"]["opening_hours"] = [{"days": [0, 1, 2, 3, 4, 5, 6], "opens": "00:00", "closes": "24:00"}]
    (work_dir / "store_profile.yml").write_text(yaml.safe_dump(profile))
    return {"STORE_PROFILE": str(work_dir / "store_profile.yml"), **MANY_CUSTOMERS_ON_ONE_ADDRESS}


def start_staffed_assistant(work_dir: Path, model: Path = DEFAULT_MODEL) -> RunningAssistant:
    """Every server and the console, support open around the clock and an agent account (STAFFED_AGENT): for
    the hand-over's end-to-end and browser tests."""
    running = start_assistant(model, work_dir, with_console=True, extra_env=support_around_the_clock(work_dir))
    add_agent(running.env, *STAFFED_AGENT)
    return running


def add_agent(env: Dict[str, str], username: str, name: str, password: str, role: Role = Role.AGENT) -> None:
    """An account in the console of the servers running with `env`, made as a shop would make it
    (`python -m console add-agent`)."""
    subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-m",
            "console",
            "add-agent",
            username,
            "--name",
            name,
            "--role",
            role.value,
            "--password-stdin",
        ],
        input=password + "\n",
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
    )


def _credentials_allowing(source: Path, origin: str, target: Path) -> Path:
    """A copy of credentials.yml whose socket.io channel also accepts `origin` (the demo page's, on a free port)."""
    import yaml

    credentials = yaml.safe_load(source.read_text()) or {}
    for channel, settings in credentials.items():
        if channel.endswith("SocketIOWithOrigins") and isinstance(settings, dict):
            settings["cors_allowed_origins"] = list(settings.get("cors_allowed_origins") or []) + [origin]
    target.write_text(yaml.safe_dump(credentials))
    return target


def _wait_for_model(running: RunningAssistant, timeout: float) -> None:
    """`rasa run` answers before its model is loaded; wait until /status names a model."""
    import json

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{running.rasa_url}/status?token={running.api_token}", timeout=5) as response:
            if json.load(response).get("model_id"):
                return
        time.sleep(0.5)
    raise TimeoutError("the Rasa server did not load its model")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    wait = commands.add_parser("wait", help="wait until every URL answers")
    wait.add_argument("urls", nargs="+")
    wait.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    try:
        wait_until_up(args.urls, args.timeout)
    except TimeoutError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
