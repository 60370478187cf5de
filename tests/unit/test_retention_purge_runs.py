"""How a purge is started: the command line (tools.purge: its arguments, what it prints, its exit status) and the
agent console's daily purge (off the event loop, only with CARE_RETENTION_DAYS set, refusing a bad value)."""

import asyncio
import logging
import threading
import time
from datetime import timedelta
from typing import Any, List, Tuple

import pytest

from customer_care import retention
from customer_care.retention import PurgeReport, RetentionError, start_daily_purge
from tests.unit.retention_helpers import NOW, World, days_ago, seed_care_database, session
from tools import purge as purge_cli

# --- The command line -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", ["0", "-1", "abc", "1.5"])
def test_the_command_refuses_days_below_one(days: str, world: World, capsys: pytest.CaptureFixture) -> None:
    world.converse("old-ana", session(days_ago(45), ("hello", "greet")))
    rows = world.tracker_rows()

    with pytest.raises(SystemExit) as exit_info:
        purge_cli.main(["--days", days, "--endpoints", str(world.endpoints)])

    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert f"argument --days: must be a whole number of days, at least 1, not {days!r}" in error
    assert world.tracker_rows() == rows


def test_the_command_needs_the_days(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        purge_cli.main([])
    assert exit_info.value.code == 2
    assert "--days" in capsys.readouterr().err


def test_the_command_prints_what_it_deleted_per_table(
    world: World, clean_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    world.converse("recent-bo", session(days_ago(2), ("hi", "greet")))
    seed_care_database(world)
    inbox = world.inbox()
    inbox.sync()
    inbox.close()
    clean_environment.setenv("CARE_DATABASE_URL", world.care_url)
    clean_environment.setenv("CARE_EVENTS_URL", f"sqlite:///{world.events_db}")

    assert purge_cli.main(["--days", "30", "--endpoints", str(world.endpoints)]) == 0

    out = capsys.readouterr().out
    assert f"Tracker store:      sqlite:///{world.tracker_db}" in out
    assert "Deleted what is older than 30 days (before " in out
    for line in (
        "tracker store: events: 7 events deleted (1 conversation removed, 0 cut to their current session)",
        "event broker: events: 7 events deleted",
        "assistant database: inbox_messages: 1 message deleted",
        "assistant database: inbox_marks: 0 marks deleted",
        "assistant database: inbox_clarifications: 0 customer choices deleted",
        "assistant database: issue_log: 3 rows cleared of raw text, comment and order number (rows, counts, "
        "ratings and masked paraphrases kept)",
        "assistant database: tickets: 1 closed ticket cleared of summary, customer name and e-mail (id, "
        "category, status, times and masked outcome kept)",
    ):
        assert line in out
    assert world.tracker_rows("old-ana") == []

    assert purge_cli.main(["--days", "30", "--endpoints", str(world.endpoints)]) == 0
    assert "tracker store: events: 0 events deleted" in capsys.readouterr().out


def test_the_command_exits_1_when_a_database_fails(
    world: World, clean_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    world.converse("old-ana", session(days_ago(45), ("hello", "greet")))
    world.events_db.write_bytes(b"not a database" * 100)
    clean_environment.setenv("CARE_DATABASE_URL", world.care_url)

    assert purge_cli.main(["--days", "30", "--endpoints", str(world.endpoints)]) == 1

    assert "FAILED: event broker at sqlite:///" in capsys.readouterr().out
    assert world.tracker_rows("old-ana") == []


# --- Daily, in the agent console ------------------------------------------------------------------------------


def test_the_daily_purge_runs_now_and_after_each_interval_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: List[Tuple[int, int]] = []

    def fake_purge(days: int, **options: Any) -> PurgeReport:
        calls.append((days, threading.get_ident()))
        if len(calls) == 2:
            raise RetentionError("endpoints unreadable today")
        return PurgeReport(days=days, cutoff=NOW, failures=["event broker at x: down"] if len(calls) == 3 else [])

    monkeypatch.setattr(retention, "purge", fake_purge)

    async def run_for_a_while() -> int:
        start_daily_purge(7, interval=timedelta(seconds=0.05), log=logging.getLogger("t"))
        assert len(calls) <= 1  # started, not waited for
        while len(calls) < 4:
            await asyncio.sleep(0.01)
        return threading.get_ident()

    with caplog.at_level(logging.INFO, logger="t"):
        loop_thread = asyncio.run(asyncio.wait_for(run_for_a_while(), 10))

    assert [days for days, _ in calls[:4]] == [7, 7, 7, 7]
    assert all(thread != loop_thread for _, thread in calls)
    messages = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert ("INFO", f"Retention: Deleted what is older than 7 days (before {NOW:%Y-%m-%d %H:%M} UTC):") in messages
    assert ("ERROR", "Retention: the purge of data older than 7 days failed; next try in 0:00:00.050000") in messages
    assert ("ERROR", "Retention: FAILED: event broker at x: down") in messages


def test_the_console_purges_at_start_up_when_care_retention_days_is_set(
    world: World, clean_environment: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from test_console_support import running_console

    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    world.converse("recent-bo", session(days_ago(2), ("hi", "greet")))
    clean_environment.setenv("CARE_RETENTION_DAYS", "30")
    clean_environment.setenv("CARE_ENDPOINTS", str(world.endpoints))
    recent = world.tracker_rows("recent-bo")

    def logged() -> List[str]:
        return [record.getMessage() for record in caplog.records if record.getMessage().startswith("Retention: ")]

    with caplog.at_level(logging.INFO, logger="sanic.root"):
        with running_console(world.root, database_url=world.care_url, events_url=f"sqlite:///{world.events_db}"):
            deadline = time.monotonic() + 30
            while not any("event broker: events:" in line for line in logged()) and time.monotonic() < deadline:
                time.sleep(0.05)

    assert world.tracker_rows("old-ana") == [] and world.broker_rows("old-ana") == []
    assert logged()[0].startswith("Retention: Deleted what is older than 30 days (before ")
    assert logged()[1:3] == [
        "Retention: tracker store: events: 7 events deleted (1 conversation removed, 0 cut to their current session)",
        "Retention: event broker: events: 7 events deleted",
    ]
    assert world.tracker_rows("recent-bo") == recent


def test_the_console_keeps_everything_without_the_setting_and_refuses_a_bad_one(
    world: World, clean_environment: pytest.MonkeyPatch
) -> None:
    from test_console_support import running_console, settings_for

    from console import app as console_app

    started: List[Any] = []
    clean_environment.setattr(console_app, "start_daily_purge", lambda *args, **kwargs: started.append(args))
    with running_console(world.root):
        time.sleep(0.2)
    assert started == []

    clean_environment.setenv("CARE_RETENTION_DAYS", "0")
    with pytest.raises(RetentionError, match="CARE_RETENTION_DAYS"):
        console_app.create_app(settings_for(world.root), rasa_client=object())
