"""The issue log's storage: every field written and read back, cleaned and masked on the way in, times in UTC,
shared between threads; outcomes and ratings."""

import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from customer_care.issue_log import IssueEntry, IssueLog, IssueOutcome, UnknownIssue, parse_severity
from customer_care.settings import database_url
from tests.unit.issue_log_helpers import NOW, complaint

# The log of these tests (replacing the conftest's autouse one), on a file of its own.
from tests.unit.issue_log_helpers import db_path as db_path
from tests.unit.issue_log_helpers import log as log


def raw_row(db_path: Path, entry_id: int) -> sqlite3.Row:
    """The row as stored, read without SQLAlchemy or the log's own code."""
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute("SELECT * FROM issue_log WHERE id = ?", (entry_id,)).fetchone()
    finally:
        connection.close()


# --- Storage ----------------------------------------------------------------------------------------------


def test_records_and_reads_back_every_field(log: IssueLog, db_path: Path) -> None:
    entry = IssueEntry(
        conversation_id="conv-42",
        kind="escalation",
        raw_text="the blender I got is the wrong colour",
        paraphrase="Customer received the wrong item",
        category="wrong_item",
        severity=("urgent", "repeat_contact"),
        order_number="104233",
        outcome="escalated",
        created_at=NOW,
    )
    entry_id = log.record(entry)

    [stored] = log.entries()
    assert db_path.exists()
    assert stored.id == entry_id
    assert stored.created_at == NOW and stored.created_at.tzinfo is not None
    assert (stored.conversation_id, stored.kind, stored.category) == ("conv-42", "escalation", "wrong_item")
    assert stored.severity == ("urgent", "repeat_contact")
    assert (stored.paraphrase, stored.raw_text) == (entry.paraphrase, entry.raw_text)
    assert (stored.order_number, stored.outcome, stored.rating, stored.comment) == ("104233", "escalated", None, None)
    assert raw_row(db_path, entry_id)["severity"] == "urgent,repeat_contact"


def test_fills_in_the_time_and_leaves_optional_fields_empty(log: IssueLog) -> None:
    before = datetime.now(timezone.utc)
    log.record(IssueEntry(conversation_id="c", kind="fallback", raw_text="asdf"))
    [stored] = log.entries()
    assert before - timedelta(seconds=1) <= stored.created_at <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert (stored.category, stored.severity, stored.paraphrase, stored.order_number) == (None, (), "", None)


@pytest.mark.parametrize(
    "severity, expected",
    [("urgent, ,angry", ("urgent", "angry")), (["urgent", " "], ("urgent",)), ("", ()), (None, ())],
)
def test_severity_labels_are_cleaned(severity: object, expected: tuple) -> None:
    assert parse_severity(severity) == expected  # type: ignore[arg-type]
    assert IssueEntry(conversation_id="c", kind="fallback", severity=severity).severity == expected  # type: ignore


def test_stores_times_as_utc(log: IssueLog) -> None:
    berlin_afternoon = datetime(2026, 3, 10, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    log.record(complaint(at=berlin_afternoon))
    assert log.entries()[0].created_at == datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def test_rejects_an_unknown_kind(log: IssueLog) -> None:
    with pytest.raises(ValueError):
        log.record(IssueEntry(conversation_id="c", kind="compliment"))
    assert log.entries() == []


def test_masks_personal_data_before_writing(log: IssueLog, db_path: Path) -> None:
    entry_id = log.record(
        complaint(
            raw_text="Order 104233: charged twice on 4111 1111 1111 1111, mail jane@example.com",
            paraphrase="Customer (call +44 20 7946 0958) was charged twice",
            comment="reach me on 07700 900123",
        )
    )
    row = raw_row(db_path, entry_id)
    assert row["raw_text"] == "Order 104233: charged twice on [card], mail [email]"
    assert row["paraphrase"] == "Customer (call [phone]) was charged twice"
    assert row["comment"] == "reach me on [phone]"
    stored_bytes = db_path.read_bytes()
    for secret in (b"4111 1111", b"jane@example.com", b"7946 0958", b"07700 900123"):
        assert secret not in stored_bytes


def test_default_url_lives_in_the_var_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARE_DATABASE_URL", raising=False)
    monkeypatch.setenv("CARE_VAR_DIR", str(tmp_path / "var"))
    assert database_url() == f"sqlite:///{(tmp_path / 'var' / 'care.db').as_posix()}"
    IssueLog().close_connections()
    assert (tmp_path / "var" / "care.db").exists()

    monkeypatch.setenv("CARE_DATABASE_URL", "postgresql://care@db/care")
    assert database_url() == "postgresql://care@db/care"


def test_in_memory_database_is_shared_between_threads() -> None:
    log = IssueLog("sqlite://")
    worker = threading.Thread(target=log.record, args=(complaint(),))
    worker.start()
    worker.join()
    assert len(log.entries()) == 1


def test_threads_can_share_one_log(log: IssueLog) -> None:
    def record_ten(worker: int) -> None:
        for number in range(10):
            log.record(complaint(conversation_id=f"w{worker}-{number}"))

    workers = [threading.Thread(target=record_ten, args=(worker,)) for worker in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len({entry.id for entry in log.entries()}) == 40


# --- Outcomes and ratings ---------------------------------------------------------------------------------


def test_updates_the_outcome(log: IssueLog) -> None:
    entry_id = log.record(complaint())
    log.update_outcome(entry_id, "solution_accepted")
    assert log.entries()[0].outcome == "solution_accepted"
    with pytest.raises(UnknownIssue):
        log.update_outcome(entry_id + 1, "escalated")


def test_an_outcome_is_stored_as_its_plain_value_and_an_unknown_one_is_refused(log: IssueLog, db_path: Path) -> None:
    entry_id = log.record(complaint(outcome=IssueOutcome.ESCALATED))
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT outcome, typeof(outcome) FROM issue_log").fetchone() == ("escalated", "text")
    log.update_outcome(entry_id, IssueOutcome.RESOLVED_BY_AGENT)
    assert log.entries()[0].outcome == "resolved_by_agent"
    with pytest.raises(ValueError, match="handed_to_team"):
        log.update_outcome(entry_id, "handed_to_team")
    with pytest.raises(ValueError):
        log.record(complaint(outcome="sorted"))
    assert [entry.outcome for entry in log.entries()] == ["resolved_by_agent"]


def test_rating_goes_to_the_conversations_latest_entry(log: IssueLog, db_path: Path) -> None:
    # Inserted out of time order: "latest" means the latest created_at, not the last insert.
    newer = log.record(complaint(conversation_id="conv-1", at=NOW - timedelta(minutes=1)))
    older = log.record(complaint(conversation_id="conv-1", at=NOW - timedelta(minutes=5)))
    other = log.record(complaint(conversation_id="conv-2", at=NOW))

    assert log.record_rating("conv-1", 2, comment="nobody called me back on 07700 900123") == newer
    by_id = {entry.id: entry for entry in log.entries()}
    assert (by_id[newer].rating, by_id[newer].comment) == (2, "nobody called me back on [phone]")
    assert by_id[older].rating is None and by_id[other].rating is None
    assert raw_row(db_path, newer)["comment"] == "nobody called me back on [phone]"


@pytest.mark.parametrize("rating", [0, 6, -1, 2.5, True, "5", None])
def test_rating_must_be_a_whole_number_from_one_to_five(log: IssueLog, rating: object) -> None:
    log.record(complaint())
    with pytest.raises(ValueError):
        log.record_rating("conv-1", rating)  # type: ignore[arg-type]
    assert log.entries()[0].rating is None


@pytest.mark.parametrize("rating", [0, 6, 2.5, True, "5"])
def test_an_entry_with_a_bad_rating_is_not_written(log: IssueLog, rating: object) -> None:
    with pytest.raises(ValueError):
        log.record(complaint(rating=rating))
    assert log.entries() == []


@pytest.mark.parametrize("rating", [1, 5])
def test_accepts_the_ends_of_the_scale(log: IssueLog, rating: int) -> None:
    log.record(complaint())
    log.record_rating("conv-1", rating)
    assert log.entries()[0].rating == rating


def test_rating_an_unknown_conversation_fails(log: IssueLog) -> None:
    with pytest.raises(UnknownIssue):
        log.record_rating("nobody", 5)
