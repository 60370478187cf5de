"""The agent directory's accounts: adding agents and trainers (names, display names, passwords and roles checked),
logging in, changing a password, and an agents table from before issue 14."""

from pathlib import Path

import pytest

from customer_care.agents import AgentDirectory, AgentError, Role, agents_table
from tests.unit.agent_helpers import PASSWORD

# --- adding accounts -----------------------------------------------------------------------------------------


def test_add_creates_an_agent_that_can_log_in(directory: AgentDirectory) -> None:
    agent = directory.add("sam", "  Sam Doe  ", PASSWORD)

    assert (agent.username, agent.display_name, agent.role, agent.last_seen_at) == ("sam", "Sam Doe", "agent", None)
    assert directory.get("sam") == agent
    assert directory.all() == [agent]
    assert directory.authenticate("sam", PASSWORD) == agent


def test_add_lowercases_and_strips_usernames(directory: AgentDirectory) -> None:
    agent = directory.add("  Sam.Doe_2 ", "Sam", PASSWORD)

    assert agent.username == "sam.doe_2"
    assert directory.get("SAM.DOE_2") == agent
    assert directory.authenticate(" Sam.Doe_2", PASSWORD) == agent


def test_add_trainer(directory: AgentDirectory) -> None:
    assert directory.add("tess", "Tess", PASSWORD, role="trainer").role == "trainer"


def test_roles_are_an_enum_stored_as_their_plain_names(directory: AgentDirectory) -> None:
    """Databases written before the enum hold "agent" and "trainer"; they still do, and read back as members."""
    tess = directory.add("tess", "Tess", PASSWORD, role=Role.TRAINER)
    assert tess.role is Role.TRAINER and directory.add("sam", "Sam", PASSWORD).role is Role.AGENT
    assert (str(tess.role), f"{tess.role:<8}|") == ("trainer", "trainer |")  # as the CLI and the pages show it
    with directory.engine.connect() as connection:
        stored = connection.execute(agents_table.select().order_by(agents_table.c.username)).mappings().all()
    assert [(type(row["role"]), row["role"]) for row in stored] == [(str, "agent"), (str, "trainer")]


@pytest.mark.parametrize("username", ["", "s", "-sam", ".sam", "sam doe", "sam@shop", "såm", "x" * 51, "sam/../x"])
def test_add_refuses_usernames_outside_the_pattern(directory: AgentDirectory, username: str) -> None:
    with pytest.raises(AgentError, match="username"):
        directory.add(username, "Sam", PASSWORD)
    assert directory.all() == []


def test_add_accepts_usernames_at_the_length_limits(directory: AgentDirectory) -> None:
    assert directory.add("ab", "Short", PASSWORD).username == "ab"
    assert directory.add("a" * 50, "Long", PASSWORD).username == "a" * 50


@pytest.mark.parametrize("display_name", ["", "   ", "\t\n"])
def test_add_refuses_an_empty_display_name(directory: AgentDirectory, display_name: str) -> None:
    with pytest.raises(AgentError, match="display name"):
        directory.add("sam", display_name, PASSWORD)
    assert directory.get("sam") is None


def test_add_refuses_a_short_password(directory: AgentDirectory) -> None:
    with pytest.raises(AgentError, match="at least 10"):
        directory.add("sam", "Sam", "123456789")
    assert directory.get("sam") is None
    assert directory.add("sam", "Sam", "1234567890").username == "sam"  # ten is enough


@pytest.mark.parametrize("role", ["admin", "Agent", "", "agents"])
def test_add_refuses_an_unknown_role(directory: AgentDirectory, role: str) -> None:
    with pytest.raises(AgentError, match="role"):
        directory.add("sam", "Sam", PASSWORD, role=role)
    assert directory.get("sam") is None


@pytest.mark.parametrize("again", ["sam", "SAM", " Sam "])
def test_add_refuses_duplicates(directory: AgentDirectory, again: str) -> None:
    directory.add("sam", "Sam", PASSWORD)

    with pytest.raises(AgentError, match="already"):
        directory.add(again, "Another Sam", "another password")
    assert [agent.display_name for agent in directory.all()] == ["Sam"]
    assert directory.authenticate("sam", PASSWORD) is not None


def test_agent_error_is_a_value_error() -> None:
    assert issubclass(AgentError, ValueError)


def test_all_lists_agents_by_username(directory: AgentDirectory) -> None:
    for name in ("zoe", "amy", "max"):
        directory.add(name, name.title(), PASSWORD)

    assert [agent.username for agent in directory.all()] == ["amy", "max", "zoe"]


# --- logging in ----------------------------------------------------------------------------------------------


def test_authenticate_refuses_a_wrong_password_and_an_unknown_user(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)

    assert directory.authenticate("sam", "wrong password") is None
    assert directory.authenticate("sam", "") is None
    assert directory.authenticate("nobody", PASSWORD) is None
    assert directory.authenticate("", PASSWORD) is None


def test_set_password_changes_it(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)

    directory.set_password("sam", "a brand new secret")

    assert directory.authenticate("sam", "a brand new secret") is not None
    assert directory.authenticate("sam", PASSWORD) is None


def test_set_password_refuses_a_short_password_and_an_unknown_agent(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)

    with pytest.raises(AgentError, match="at least"):
        directory.set_password("sam", "short")
    with pytest.raises(AgentError, match="nobody"):
        directory.set_password("nobody", "a long enough password")
    assert directory.authenticate("sam", PASSWORD) is not None


def test_set_password_with_the_username_typed_in_another_case_changes_it(directory: AgentDirectory) -> None:
    directory.add("sam", "Sam", PASSWORD)

    directory.set_password("Sam", "a brand new secret")

    assert directory.authenticate("sam", "a brand new secret") is not None


def test_an_agents_table_from_before_issue_14_gains_the_disabled_column(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE agents (id INTEGER PRIMARY KEY, username VARCHAR(50) NOT NULL UNIQUE, "
                "display_name VARCHAR(100) NOT NULL, role VARCHAR(20) NOT NULL, password_hash VARCHAR(255) NOT NULL, "
                "created_at DATETIME NOT NULL, last_seen_at DATETIME)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO agents (username, display_name, role, password_hash, created_at) "
                "VALUES ('old', 'Old Timer', 'agent', 'scrypt$x', '2025-01-01 00:00:00')"
            )
        )
    engine.dispose()

    directory = AgentDirectory(url)

    agent = directory.get("old")
    assert agent is not None and not agent.disabled
    directory.disable("old")
    assert directory.get("old").disabled  # type: ignore[union-attr]
