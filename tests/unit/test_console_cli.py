"""`python -m console`: accounts from the command line, settings from the environment, and `serve`."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Callable, Iterator, List

import pytest
import requests
from argon2 import PasswordHasher
from test_console_support import PASSWORD, free_socket

from console.__main__ import main
from console.app import create_app
from console.sessions import SessionStore
from console.settings import ConsoleSettings, SettingsError
from customer_care.agents import AgentDirectory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'care.db'}"
    monkeypatch.setenv("CARE_DATABASE_URL", url)
    for name in (
        "RASA_URL",
        "RASA_API_TOKEN",
        "CONSOLE_SESSION_HOURS",
        "CONSOLE_SECURE_COOKIES",
        "CONSOLE_SESSION_MAX_HOURS",
        "CONSOLE_TRUSTED_PROXIES",
    ):
        monkeypatch.delenv(name, raising=False)
    # Cheap argon2 for these tests (the cost is stored in each hash).
    monkeypatch.setattr(
        "customer_care.agents.PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    yield url


def answers(*replies: str) -> Callable[[str], str]:
    queue: List[str] = list(replies)
    return lambda prompt: queue.pop(0)


def test_add_agent_reads_the_password_from_stdin(database: str, capsys: pytest.CaptureFixture) -> None:
    code = main(
        ["add-agent", "Alice", "--name", "Alice Agent", "--role", "trainer", "--password-stdin"],
        stdin=io.StringIO(PASSWORD + "\n"),
    )
    assert code == 0
    assert capsys.readouterr().out == "Added trainer alice (Alice Agent).\n"
    agent = AgentDirectory(database).authenticate("alice", PASSWORD)
    assert agent is not None and agent.role == "trainer"


def test_add_agent_asks_twice(database: str) -> None:
    assert main(["add-agent", "bob", "--name", "Bob"], ask=answers(PASSWORD, PASSWORD)) == 0
    assert AgentDirectory(database).authenticate("bob", PASSWORD) is not None


@pytest.mark.parametrize(
    "argv, ask, message",
    [
        (["add-agent", "bob", "--name", "Bob"], answers(PASSWORD, PASSWORD + "x"), "The two passwords differ"),
        (["add-agent", "bob", "--name", "Bob"], answers("short", "short"), "at least 10 characters"),
        (["add-agent", "B o b", "--name", "Bob"], answers(PASSWORD, PASSWORD), "A username is 2-50 characters"),
        (["add-agent", "bob", "--name", " "], answers(PASSWORD, PASSWORD), "A display name is needed"),
        (["set-password", "nobody"], answers(PASSWORD, PASSWORD), "There is no agent called nobody"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(
    database: str, capsys: pytest.CaptureFixture, argv: List[str], ask: Callable[[str], str], message: str
) -> None:
    assert main(argv, ask=ask) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error and error.count("\n") == 1
    assert AgentDirectory(database).all() == []


def test_an_existing_username_is_refused(database: str, capsys: pytest.CaptureFixture) -> None:
    AgentDirectory(database).add("bob", "Bob", PASSWORD)
    assert main(["add-agent", "bob", "--name", "Bob 2", "--password-stdin"], stdin=io.StringIO(PASSWORD)) == 2
    assert "already an agent called bob" in capsys.readouterr().err


def test_an_empty_stdin_is_no_password(database: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["add-agent", "bob", "--name", "Bob", "--password-stdin"], stdin=io.StringIO("")) == 2
    assert "No password on standard input" in capsys.readouterr().err


def test_set_password_changes_it_and_logs_the_agent_out(database: str, capsys: pytest.CaptureFixture) -> None:
    directory = AgentDirectory(database)
    directory.add("bob", "Bob", PASSWORD)
    sessions = SessionStore(database, idle=timedelta(hours=8))
    token = sessions.start("bob")
    assert main(["set-password", "bob", "--password-stdin"], stdin=io.StringIO("a whole new password\n")) == 0
    assert "1 open session(s) logged out" in capsys.readouterr().out
    assert directory.authenticate("bob", "a whole new password") is not None
    assert directory.authenticate("bob", PASSWORD) is None
    assert sessions.resume(token) is None


def test_list_agents(database: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["list-agents"]) == 0
    assert "No agents yet" in capsys.readouterr().out
    directory = AgentDirectory(database)
    directory.add("alice", "Alice Agent", PASSWORD)
    directory.add("trina", "Trina", PASSWORD, role="trainer")
    directory.touch("alice")
    assert main(["list-agents"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("alice  agent    active    Alice Agent  (last seen ")
    assert lines[1] == "trina  trainer  active    Trina  (never logged in)"


def test_disable_agent_logs_them_out_and_enable_agent_lets_them_back(
    database: str, capsys: pytest.CaptureFixture
) -> None:
    directory = AgentDirectory(database)
    directory.add("bob", "Bob", PASSWORD)
    directory.add("amy", "Amy", PASSWORD)
    sessions = SessionStore(database, idle=timedelta(hours=8))
    tokens = [sessions.start("bob"), sessions.start("bob")]
    other = sessions.start("amy")

    assert main(["disable-agent", "Bob"]) == 0

    assert capsys.readouterr().out == "Disabled bob; 2 open session(s) logged out.\n"
    assert [sessions.resume(token) for token in tokens] == [None, None]
    assert sessions.resume(other) is not None
    assert directory.authenticate("bob", PASSWORD) is None
    assert main(["list-agents"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "amy  agent    active    Amy  (never logged in)",
        "bob  agent    disabled  Bob  (never logged in)",
    ]

    assert main(["enable-agent", "bob"]) == 0
    assert capsys.readouterr().out == "Enabled bob; they can log in again.\n"
    assert directory.authenticate("bob", PASSWORD) is not None


@pytest.mark.parametrize("command", ["disable-agent", "enable-agent"])
def test_disabling_an_unknown_agent_is_a_one_line_error(
    database: str, capsys: pytest.CaptureFixture, command: str
) -> None:
    assert main([command, "nobody"]) == 2
    assert capsys.readouterr().err == "error: There is no agent called nobody.\n"


def test_settings_from_the_environment(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARE_EVENTS_URL", "sqlite:///events-test.db")
    assert ConsoleSettings.from_env() == ConsoleSettings(
        database_url=database,
        rasa_url="http://localhost:5005",
        rasa_api_token="",
        session_hours=8.0,
        secure_cookies=False,
        events_url="sqlite:///events-test.db",
    )
    monkeypatch.setenv("SHOP_SOCKET_URL", "https://chat.example/")
    assert ConsoleSettings.from_env().widget_socket_url == "https://chat.example"
    monkeypatch.setenv("RASA_URL", "http://rasa:5005/")
    monkeypatch.setenv("RASA_API_TOKEN", " t0ken ")
    monkeypatch.setenv("CONSOLE_SESSION_HOURS", "0.5")
    monkeypatch.setenv("CONSOLE_SECURE_COOKIES", "on")
    monkeypatch.setenv("CONSOLE_SESSION_MAX_HOURS", "10")
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXIES", "1")
    settings = ConsoleSettings.from_env()
    assert (settings.rasa_url, settings.rasa_api_token, settings.session_hours, settings.secure_cookies) == (
        "http://rasa:5005",
        "t0ken",
        0.5,
        True,
    )
    assert (settings.session_max_hours, settings.trusted_proxies) == (10.0, 1)


def test_new_settings_default_to_a_twelve_hour_session_and_no_trusted_proxy(database: str) -> None:
    settings = ConsoleSettings.from_env()
    assert (settings.session_max_hours, settings.trusted_proxies) == (12.0, 0)
    assert (settings.login_failures_per_user, settings.login_failures_per_address) == (5, 20)


@pytest.mark.parametrize(
    "name, value",
    [
        ("CONSOLE_SESSION_HOURS", "0"),
        ("CONSOLE_SESSION_HOURS", "eight"),
        ("CONSOLE_SESSION_HOURS", "nan"),
        ("CONSOLE_SECURE_COOKIES", "maybe"),
        ("CONSOLE_SESSION_MAX_HOURS", "-1"),
        ("CONSOLE_TRUSTED_PROXIES", "yes"),
        ("CONSOLE_TRUSTED_PROXIES", "-1"),
        ("CONSOLE_TRUSTED_PROXIES", "²"),
    ],
)
def test_malformed_settings_name_the_variable(
    database: str, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        ConsoleSettings.from_env()


def test_serving_needs_the_rasa_token(database: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SettingsError, match="RASA_API_TOKEN is not set"):
        create_app(ConsoleSettings.from_env())
    assert main(["serve"]) == 2
    assert "RASA_API_TOKEN is not set" in capsys.readouterr().err


def test_python_m_console_serves_the_app(tmp_path: Path) -> None:
    """The real entry point, in its own process: a mistake exits 2 without a traceback; serve answers."""
    env = {
        **os.environ,
        "CARE_DATABASE_URL": f"sqlite:///{tmp_path / 'care.db'}",
        "RASA_API_TOKEN": "t",
        "RASA_URL": "http://127.0.0.1:9",
    }
    mistake = subprocess.run(
        [sys.executable, "-m", "console", "add-agent", "x", "--name", "X", "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert mistake.returncode == 2 and "Traceback" not in mistake.stderr and "error: A username" in mistake.stderr

    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen(
        [sys.executable, "-m", "console", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the console did not start within 30 s"
                time.sleep(0.2)
        assert page.status_code == 200 and "Log in" in page.text
        assert requests.get(f"http://127.0.0.1:{port}/api/me", timeout=5).status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
