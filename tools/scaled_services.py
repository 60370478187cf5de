"""The services of the production profile (tools.scaled) that are not the assistant's own: a PostgreSQL cluster
and a Redis server of its own under var/, the databases and tables on any PostgreSQL server, and HAProxy's
configuration."""

import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence
from urllib.parse import quote

POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
DATABASES = ("larkspur_tracker", "larkspur_events", "larkspur_care")
# Debian package -> the program the profile runs from it.
REQUIRED_PACKAGES = {"postgresql": POSTGRES_BIN / "pg_ctl", "redis-server": "redis-server", "haproxy": "haproxy"}


class MissingPackages(RuntimeError):
    """Programs the profile needs are not installed; the message says which Debian packages bring them."""


def missing_packages(need_postgres: bool = True, need_redis: bool = True) -> List[str]:
    wanted = dict(REQUIRED_PACKAGES)
    if not need_postgres:
        wanted.pop("postgresql")
    if not need_redis:
        wanted.pop("redis-server")
    return [package for package, program in wanted.items() if shutil.which(str(program)) is None]


def require_packages(need_postgres: bool = True, need_redis: bool = True) -> None:
    missing = missing_packages(need_postgres, need_redis)
    if missing:
        raise MissingPackages(
            f"the scaled profile needs {', '.join(missing)}: sudo apt-get install -y {' '.join(missing)}"
        )


def _as_postgres_user(command: List[str]) -> List[str]:
    """PostgreSQL refuses to run as root: as root, run its programs as the `postgres` account Debian makes."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def kept_secret(path: Path) -> str:
    if not path.exists() or not path.read_text().strip():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            handle.write(secrets.token_urlsafe(24))
    return path.read_text().strip()


@dataclass
class LocalServer:
    """A server of the profile's own on 127.0.0.1:`port`, its files and its generated password in `directory`."""

    directory: Path
    port: int

    @property
    def password(self) -> str:
        return kept_secret(self.directory / "password")


@dataclass
class LocalPostgres(LocalServer):
    """A PostgreSQL cluster of the profile's own."""

    user: str = "larkspur"

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{quote(self.password, safe='')}@127.0.0.1:{self.port}"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        password = self.password
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
            shutil.chown(self.directory / "password", "postgres")
        if not (self.data / "PG_VERSION").exists():
            subprocess.run(
                _as_postgres_user(
                    [
                        str(POSTGRES_BIN / "initdb"),
                        "-D",
                        str(self.data),
                        "-U",
                        self.user,
                        f"--pwfile={self.directory / 'password'}",
                        "--auth=scram-sha-256",
                        "-E",
                        "UTF8",
                        "--no-locale",
                    ]
                ),
                check=True,
                capture_output=True,
            )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.directory}"
        subprocess.run(
            _as_postgres_user(
                [
                    str(POSTGRES_BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.directory / "postgres.log"),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        create_databases(f"postgresql://{self.user}:{quote(password, safe='')}@127.0.0.1:{self.port}")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres_user([str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
                capture_output=True,
            )


def create_databases(server_url: str) -> None:
    """The profile's databases on the server at `server_url`, those missing created."""
    import psycopg2

    connection = psycopg2.connect(f"{server_url}/postgres")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for name in DATABASES:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def prepare_schemas(server_url: str) -> None:
    """Every table made once, before the processes start: processes that create the same PostgreSQL table at
    the same moment make all but one fail (a unique violation in pg_type)."""
    from rasa.core.brokers.sql import SQLEventBroker
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy import create_engine

    from console import sessions
    from customer_care import agents, inbox_tables, issue_log, tickets

    schemas = (
        (DATABASES[0], [SQLTrackerStore.Base.metadata]),
        (DATABASES[1], [SQLEventBroker.Base.metadata]),
        (
            DATABASES[2],
            [agents.metadata, inbox_tables.metadata, issue_log.metadata, tickets.metadata, sessions.metadata],
        ),
    )
    for database, metadatas in schemas:
        engine = create_engine(f"{server_url}/{database}", future=True)
        try:
            for metadata in metadatas:
                metadata.create_all(engine, checkfirst=True)
        finally:
            engine.dispose()


@dataclass
class LocalRedis(LocalServer):
    """A Redis server of the profile's own, writing nothing to disk."""

    process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://:{quote(self.password, safe='')}@127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # The configuration (password included) on standard input: nothing on the command line.
        config = (
            f'port {self.port}\nbind 127.0.0.1\ndir {self.directory}\nsave ""\nappendonly no\n'
            f"requirepass {self.password}\n"
        )
        log = open(self.directory / "redis.log", "wb")
        self.process = subprocess.Popen(
            ["redis-server", "-"], stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        assert self.process.stdin is not None
        self.process.stdin.write(config.encode())
        self.process.stdin.close()
        wait_for_redis(self.url, self.process)

    def stop(self) -> None:
        stop_process(self.process)


def wait_for_redis(url: str, process: Optional[subprocess.Popen] = None, timeout: float = 30) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis.from_url(url, socket_timeout=2).ping()
            return
        except redis.RedisError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop_process(process: Optional[subprocess.Popen], timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def haproxy_config(
    public_port: int, rasa_ports: Sequence[int], action_port: int, action_ports: Sequence[int], public_host: str
) -> str:
    rasa = "\n".join(f"  server rasa{n} 127.0.0.1:{port} check inter 1s" for n, port in enumerate(rasa_ports, 1))
    actions = "\n".join(
        f"  server actions{n} 127.0.0.1:{port} check inter 1s" for n, port in enumerate(action_ports, 1)
    )
    return f"""global
  maxconn 4096

defaults
  mode http
  option forwardfor
  option redispatch
  retries 2
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout tunnel 1h

frontend public
  bind {public_host}:{public_port}
  acl socketio path_beg /socket.io
  use_backend rasa_sockets if socketio
  default_backend rasa_rest

# A customer's socket lives in one Rasa process: the same client address always reaches the same one.
backend rasa_sockets
  balance source
  hash-type consistent
  option httpchk GET /
  http-response set-header X-Served-By %[srv_name]
{rasa}

backend rasa_rest
  balance roundrobin
  option httpchk GET /
  http-response set-header X-Served-By %[srv_name]
{rasa}

frontend actions
  bind 127.0.0.1:{action_port}
  default_backend actions

backend actions
  balance roundrobin
  option httpchk GET /health
{actions}
"""
