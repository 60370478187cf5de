"""The production profile, run for real on one machine: PostgreSQL and Redis, several Rasa servers and action
servers behind HAProxy, the NLU worker and the agent console as in `make run`.

    python -m tools.scaled run            # make run-scaled: RASA_INSTANCES (2), ACTION_INSTANCES (2)

- PostgreSQL keeps the conversations (Rasa's tracker store), the event stream (Rasa's SQL event broker) and the
  assistant's own tables (issue log, tickets, agents, console sessions, review inbox), in three databases.
  LARKSPUR_POSTGRES_URL names a server elsewhere (postgresql://user:password@host:port); unset, a cluster is made
  under var/scaled/postgres with a generated password kept in var/ (mode 600).
- Redis is Rasa's lock store (one turn of a conversation at a time, whichever process takes it) and carries the
  socket.io emits between processes (connectors.socketio). LARKSPUR_REDIS_URL names one elsewhere
  (redis://:password@host:port/0); unset, one is started under var/scaled/redis, on 127.0.0.1 with a password.
- HAProxy listens on RASA_PORT: /socket.io/ sticks to one Rasa process per client address (a socket lives in one
  process), everything else goes round-robin; a second front end on 127.0.0.1:ACTION_PORT spreads the action
  calls. The Rasa processes listen on RASA_INSTANCE_PORT..+N-1 (5101..; RASA_PORT+1 and +2 are the console's
  and the NLU worker's, as in `make run`), the action servers on ACTION_PORT+1..M, all on 127.0.0.1.
  The processes take the client's address from HAProxy's X-Forwarded-For (the message rate is per address).

Every secret travels in the environment or a file under var/, never on a command line.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence
from urllib.parse import urlsplit

from addons.action_server import SECRET_HEADER as ACTION_SECRET_HEADER
from addons.action_server import SECRET_VARIABLE as ACTION_SECRET_VARIABLE
from addons.nlu_server import TOKEN_VARIABLE as NLU_TOKEN_VARIABLE
from connectors.socketio import REDIS_URL_VARIABLE as SOCKETIO_REDIS_URL_VARIABLE
from customer_care.identity import CUSTOMER_TOKEN_KEY, SESSION_KEY
from customer_care.sample_orders import seed_demo_orders
from customer_care.settings import PROJECT_ROOT
from tools.scaled_services import (
    DATABASES,
    LocalPostgres,
    LocalRedis,
    MissingPackages,
    create_databases,
    haproxy_config,
    kept_secret,
    prepare_schemas,
    require_packages,
    stop_process,
    wait_for_redis,
)
from tools.servers import VENV_BIN, wait_until_up


@dataclass
class ScaledSettings:
    rasa_instances: int = 2
    action_instances: int = 2
    rasa_port: int = 5005
    rasa_instance_port: int = 5101
    action_port: int = 5055
    nlu_port: int = 5007
    console_port: int = 5006
    postgres_port: int = 5432 + 100
    redis_port: int = 6379 + 100
    public_host: str = "0.0.0.0"
    work_dir: Path = PROJECT_ROOT / "var" / "scaled"
    # The cluster's own folder (by default work_dir/postgres): run as root, PostgreSQL runs as the `postgres`
    # account, which must be able to reach it (pytest's temporary folders are private to root, /tmp is not).
    postgres_dir: Optional[Path] = None
    model: Path = PROJECT_ROOT / "models"
    postgres_url: Optional[str] = None  # an existing server; None: a cluster of our own
    redis_url: Optional[str] = None  # an existing server; None: one of our own
    extra_env: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "ScaledSettings":
        return cls(
            rasa_instances=int(environ.get("RASA_INSTANCES", 2)),
            action_instances=int(environ.get("ACTION_INSTANCES", 2)),
            rasa_port=int(environ.get("RASA_PORT", 5005)),
            rasa_instance_port=int(environ.get("RASA_INSTANCE_PORT", 5101)),
            action_port=int(environ.get("ACTION_PORT", 5055)),
            nlu_port=int(environ.get("NLU_PORT", 5007)),
            console_port=int(environ.get("CONSOLE_PORT", 5006)),
            postgres_port=int(environ.get("POSTGRES_PORT", 5532)),
            redis_port=int(environ.get("REDIS_PORT", 6479)),
            postgres_url=environ.get("LARKSPUR_POSTGRES_URL") or None,
            redis_url=environ.get("LARKSPUR_REDIS_URL") or None,
        )

    @property
    def rasa_ports(self) -> List[int]:
        return [self.rasa_instance_port + n for n in range(self.rasa_instances)]

    @property
    def action_ports(self) -> List[int]:
        return [self.action_port + n for n in range(1, self.action_instances + 1)]


def endpoints_yaml(postgres_url: str, redis_url: str, action_port: int, nlu_port: int) -> str:
    """endpoints.yml for every Rasa process; passwords stay ${...} references (unquoted: Rasa fills in only
    plain scalars) that Rasa fills in from the environment when it reads the file."""
    database = urlsplit(postgres_url)
    cache = urlsplit(redis_url)

    def sql(db: str) -> str:
        return (
            f'  dialect: "postgresql"\n  url: "{database.hostname}"\n  port: {database.port or 5432}\n'
            f'  username: "{database.username}"\n  password: ${{LARKSPUR_POSTGRES_PASSWORD}}\n  db: "{db}"\n'
        )

    return (
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n  headers:\n'
        f"    {ACTION_SECRET_HEADER}: ${{{ACTION_SECRET_VARIABLE}}}\n"
        f"tracker_store:\n  type: addons.tracker_store.LeanSQLTrackerStore\n{sql(DATABASES[0])}"
        f"event_broker:\n  type: SQL\n{sql(DATABASES[1])}"
        f"lock_store:\n  type: addons.lock_store.AtomicRedisLockStore\n"
        f'  url: "{cache.hostname}"\n  port: {cache.port or 6379}\n'
        f"  password: ${{LARKSPUR_REDIS_PASSWORD}}\n  db: {(cache.path or '/0').strip('/') or 0}\n"
        f'nlu:\n  url: "http://127.0.0.1:{nlu_port}"\n  token: ${{{NLU_TOKEN_VARIABLE}}}\n'
    )


def _credentials_for(settings: ScaledSettings, target: Path) -> Path:
    import yaml

    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text()) or {}
    origins = [f"http://localhost:{settings.console_port}", f"http://127.0.0.1:{settings.console_port}"]
    for channel, values in credentials.items():
        if channel.endswith("SocketIOWithOrigins") and isinstance(values, dict):
            values["cors_allowed_origins"] = sorted(set(values.get("cors_allowed_origins") or []) | set(origins))
    target.write_text(yaml.safe_dump(credentials))
    return target


@dataclass
class ScaledAssistant:
    settings: ScaledSettings
    env: Dict[str, str]
    api_token: str
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    postgres: Optional[LocalPostgres] = None
    redis: Optional[LocalRedis] = None
    postgres_url: str = ""
    redis_url: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    def instance_url(self, number: int) -> str:
        """The Rasa process `number` (1..N) itself, not through the load balancer."""
        return f"http://127.0.0.1:{self.settings.rasa_ports[number - 1]}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.console_port}"

    @property
    def care_database_url(self) -> str:
        return f"{self.postgres_url}/{DATABASES[2]}"

    def log(self, name: str) -> str:
        path = self.settings.work_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start_process(self, name: str, command: List[str], env: Optional[Dict[str, str]] = None) -> None:
        log = open(self.settings.work_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env or self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_rasa(self, number: int) -> None:
        self.start_process(
            f"rasa{number}",
            [
                str(VENV_BIN / "python"),
                "-m",
                "addons.rasa_server",
                "--enable-api",
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.settings.rasa_ports[number - 1]),
                "--endpoints",
                str(self.settings.work_dir / "endpoints.yml"),
                "--credentials",
                str(self.settings.work_dir / "credentials.yml"),
                "--model",
                str(self.settings.model),
            ],
        )

    def start_console(self, name: str, port: int, rasa_url: Optional[str] = None) -> str:
        """A console process on 127.0.0.1:`port` that reaches Rasa at `rasa_url` (by default through the load
        balancer); its URL."""
        env = dict(self.env, RASA_URL=rasa_url or self.url)
        command = [str(VENV_BIN / "python"), "-m", "console", "serve", "--host", "127.0.0.1", "--port", str(port)]
        self.start_process(name, command, env)
        return f"http://127.0.0.1:{port}"

    def kill(self, name: str) -> None:
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            stop_process(process)
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def __enter__(self) -> "ScaledAssistant":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_scaled(settings: ScaledSettings, timeout: float = 300) -> ScaledAssistant:
    """Start the whole profile and wait until every process answers (the Rasa processes with their model)."""
    require_packages(settings.postgres_url is None, settings.redis_url is None)
    work = settings.work_dir
    work.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    assistant = ScaledAssistant(settings, env={}, api_token=token)
    with ExitStack() as on_failure:
        on_failure.callback(assistant.stop)
        if settings.postgres_url is None:
            assistant.postgres = LocalPostgres(settings.postgres_dir or work / "postgres", settings.postgres_port)
            assistant.postgres.start()
            assistant.postgres_url = assistant.postgres.url
        else:
            assistant.postgres_url = settings.postgres_url.rstrip("/")
            create_databases(assistant.postgres_url)
        prepare_schemas(assistant.postgres_url)
        if settings.redis_url is None:
            assistant.redis = LocalRedis(work / "redis", settings.redis_port)
            assistant.redis.start()
            assistant.redis_url = assistant.redis.url
        else:
            assistant.redis_url = settings.redis_url
            wait_for_redis(assistant.redis_url)

        database, cache = urlsplit(assistant.postgres_url), urlsplit(assistant.redis_url)
        (work / "endpoints.yml").write_text(
            endpoints_yaml(assistant.postgres_url, assistant.redis_url, settings.action_port, settings.nlu_port)
        )
        _credentials_for(settings, work / "credentials.yml")
        (work / "haproxy.cfg").write_text(
            haproxy_config(
                settings.rasa_port,
                settings.rasa_ports,
                settings.action_port,
                settings.action_ports,
                settings.public_host,
            )
        )
        keys = work / "keys"
        env = dict(
            os.environ,
            PYTHONUNBUFFERED="1",
            CARE_VAR_DIR=str(work),
            RASA_API_TOKEN=token,
            LARKSPUR_POSTGRES_PASSWORD=database.password or "",
            LARKSPUR_REDIS_PASSWORD=cache.password or "",
            CARE_DATABASE_URL=assistant.care_database_url,
            CARE_EVENTS_URL=f"{assistant.postgres_url}/{DATABASES[1]}",
            RASA_URL=f"http://127.0.0.1:{settings.rasa_port}",
            RASA_TELEMETRY_ENABLED="false",
            CONSOLE_PUBLIC_URL=f"http://localhost:{settings.console_port}",
            LARKSPUR_DEMO_SIGN_IN=os.environ.get("LARKSPUR_DEMO_SIGN_IN", "1"),
            # Sanic takes the client's address from the X-Forwarded-For HAProxy adds (one proxy in front).
            SANIC_PROXIES_COUNT="1",
            # A turn's lock outlives a process killed in the middle of it by this many seconds (Rasa's default is
            # 60): the customer of that turn waits at most this long; a turn slower than this could overlap the
            # conversation's next one.
            TICKET_LOCK_LIFETIME=os.environ.get("TICKET_LOCK_LIFETIME", "20"),
            **{
                SOCKETIO_REDIS_URL_VARIABLE: assistant.redis_url,
                ACTION_SECRET_VARIABLE: secrets.token_urlsafe(24),
                NLU_TOKEN_VARIABLE: secrets.token_urlsafe(16),
                f"{SESSION_KEY}_FILE": str(keys / "session.key"),
                f"{CUSTOMER_TOKEN_KEY}_FILE": str(keys / "customer-token.key"),
            },
        )
        env.update(settings.extra_env)
        kept_secret(keys / "session.key")
        kept_secret(keys / "customer-token.key")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        assistant.env = env
        seed_demo_orders(work / "orders.db")

        python = str(VENV_BIN / "python")
        for number, port in enumerate(settings.action_ports, 1):
            assistant.start_process(
                f"actions{number}",
                [python, "-m", "addons.action_server", "--interface", "127.0.0.1", "--port", str(port)],
            )
        assistant.start_process(
            "nlu", [python, "-m", "addons.nlu_server", "--model", str(settings.model), "--port", str(settings.nlu_port)]
        )
        for number in range(1, settings.rasa_instances + 1):
            assistant.start_rasa(number)
        assistant.start_process("haproxy", ["haproxy", "-db", "-f", str(work / "haproxy.cfg")])
        assistant.start_console("console", settings.console_port)
        urls = [f"http://127.0.0.1:{port}/health" for port in settings.action_ports]
        urls += [f"http://127.0.0.1:{settings.nlu_port}/status", f"{assistant.console_url}/login"]
        urls += [f"http://127.0.0.1:{port}/status?token={token}" for port in settings.rasa_ports]
        wait_until_up(urls, timeout, list(assistant.processes.values()))
        _wait_for_models(assistant, timeout)
        on_failure.pop_all()
    return assistant


def _wait_for_models(assistant: ScaledAssistant, timeout: float) -> None:
    import json
    import urllib.request

    deadline = time.monotonic() + timeout
    for number in range(1, assistant.settings.rasa_instances + 1):
        status = f"{assistant.instance_url(number)}/status?token={assistant.api_token}"
        while True:
            with urllib.request.urlopen(status, timeout=5) as response:
                if json.load(response).get("model_id"):
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"Rasa process {number} did not load its model")
            time.sleep(0.5)
    wait_until_up([f"{assistant.url}/"], 30)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "check"])
    args = parser.parse_args(argv)
    settings = ScaledSettings.from_environment()
    try:
        require_packages(settings.postgres_url is None, settings.redis_url is None)
    except MissingPackages as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command == "check":
        return 0
    print(
        f"Starting the scaled assistant ({settings.rasa_instances} Rasa, {settings.action_instances} action "
        f"servers; logs in {settings.work_dir})..."
    )
    try:
        assistant = start_scaled(settings)
    except Exception as error:  # noqa: BLE001 - said plainly, with where to look
        print(f"The scaled assistant did not start: {error}. See the logs in {settings.work_dir}.", file=sys.stderr)
        return 1
    with assistant:
        database, cache = urlsplit(assistant.postgres_url), urlsplit(assistant.redis_url)
        rest = f"localhost:{settings.rasa_port}/webhooks/rest/webhook"
        banner = [
            "",
            "  Larkspur assistant (scaled) is running.",
            f'    Chat (REST):    curl -s {rest} -d \'{{"sender": "me", "message": "hi"}}\'',
            f"    Chat (socket):  http://localhost:{settings.rasa_port}/socket.io  (sticky per client address)",
            f"    Rasa processes: {', '.join(f'127.0.0.1:{port}' for port in settings.rasa_ports)}",
            f"    Action servers: {', '.join(f'127.0.0.1:{port}' for port in settings.action_ports)}"
            f" behind 127.0.0.1:{settings.action_port}",
            f"    HTTP API token: {assistant.api_token}  (generated for this run)",
            f"    PostgreSQL:     {database.hostname}:{database.port}   Redis: {cache.hostname}:{cache.port}",
            f"    Shop page:      http://localhost:{settings.console_port}/shop/",
            f"    Agent console:  http://localhost:{settings.console_port}/",
            "  Press Ctrl-C to stop.",
            "",
        ]
        print("\n".join(banner), flush=True)
        try:
            while all(process.poll() is None for process in assistant.processes.values()):
                time.sleep(1)
            stopped = [name for name, process in assistant.processes.items() if process.poll() is not None]
            print(f"{', '.join(stopped)} stopped; stopping the rest (see {settings.work_dir}).", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\nStopping the assistant...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
