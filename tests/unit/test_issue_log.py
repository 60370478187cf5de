import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Optional

import pytest

from customer_care.issue_log import (
    UNCATEGORISED,
    CategoryTrend,
    IssueEntry,
    IssueLog,
    IssueOutcome,
    UnknownIssue,
    describe_trend,
    parse_severity,
)
from customer_care.problem_phrases import problem_phrases
from customer_care.settings import database_url
from tools import issues_report

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "not" / "there" / "yet" / "care.db"  # the log must create the folders


@pytest.fixture
def log(db_path: Path) -> Iterator[IssueLog]:
    issue_log = IssueLog(f"sqlite:///{db_path}")
    yield issue_log
    issue_log.close_connections()


def complaint(
    conversation_id: str = "conv-1",
    category: Optional[str] = "damaged_item",
    paraphrase: str = "The item arrived damaged",
    at: datetime = NOW - timedelta(hours=1),
    **fields: object,
) -> IssueEntry:
    return IssueEntry(
        conversation_id=conversation_id,
        kind="complaint",
        category=category,
        paraphrase=paraphrase,
        created_at=at,
        **fields,
    )


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


# --- Periods, counts and trends ---------------------------------------------------------------------------


def test_periods_are_half_open(log: IssueLog) -> None:
    since, until = NOW - timedelta(days=1), NOW
    for at in (since - timedelta(seconds=1), since, until - timedelta(seconds=1), until):
        log.record(complaint(at=at))
    assert [entry.created_at for entry in log.entries(since, until)] == [since, until - timedelta(seconds=1)]
    assert len(log.entries(since=since)) == 3
    assert len(log.entries(until=since)) == 1


def test_counts_categories_in_the_period(log: IssueLog) -> None:
    for category, days_ago in [
        ("late_delivery", 1),
        ("late_delivery", 2),
        ("late_delivery", 3),
        ("damaged_item", 1),
        ("billing", 4),
        ("billing", 5),
        (None, 1),
        ("damaged_item", 9),  # the last is outside the period
    ]:
        log.record(complaint(category=category, at=NOW - timedelta(days=days_ago)))
    counts = log.category_counts(NOW - timedelta(days=7), NOW)
    assert counts == [("late_delivery", 3), ("billing", 2), ("damaged_item", 1), (UNCATEGORISED, 1)]


def test_frequency_report_compares_with_the_previous_period(log: IssueLog) -> None:
    current = [("late_delivery", 1), ("late_delivery", 3), ("late_delivery", 6), ("damaged_item", 2), ("wrong_item", 5)]
    previous = [
        ("late_delivery", 8),
        ("damaged_item", 9),
        ("damaged_item", 10),
        ("damaged_item", 13),
        ("damaged_item", 14),
        ("billing", 12),
    ]
    for category, days_ago in current + previous + [("billing", 15)]:  # 15 days ago: in neither period
        log.record(complaint(category=category, at=NOW - timedelta(days=days_ago)))
    log.record(IssueEntry(conversation_id="f", kind="fallback", raw_text="hmm", created_at=NOW - timedelta(days=1)))

    report = log.frequency_report(days=7, now=NOW.astimezone(timezone(timedelta(hours=-5))))

    assert (report.since, report.until) == (NOW - timedelta(days=7), NOW)
    assert (report.total, report.previous_total) == (6, 6)
    assert report.categories == [
        CategoryTrend("late_delivery", 3, 1),
        CategoryTrend("damaged_item", 1, 4),
        CategoryTrend(UNCATEGORISED, 1, 0),
        CategoryTrend("wrong_item", 1, 0),
        CategoryTrend("billing", 0, 1),  # gone this week, still listed
    ]
    assert [(trend.change, trend.trend) for trend in report.categories] == [
        (2, "↑ +200%"),
        (-3, "↓ -75%"),
        (1, "↑ new"),
        (1, "↑ new"),
        (-1, "↓ -100%"),
    ]
    assert report.kinds == [("complaint", 5), ("fallback", 1)]
    assert report.trend == "→ 0%"


def test_frequency_report_needs_a_positive_period(log: IssueLog) -> None:
    with pytest.raises(ValueError):
        log.frequency_report(days=0, now=NOW)


@pytest.mark.parametrize(
    "count, previous, expected",
    [
        (3, 2, "↑ +50%"),
        (1, 4, "↓ -75%"),
        (2, 2, "→ 0%"),
        (2, 0, "↑ new"),
        (0, 0, "→ 0%"),
        (0, 3, "↓ -100%"),
        (2, 3, "↓ -33%"),
        (1001, 1000, "↑ +0%"),
    ],
)
def test_describes_trends(count: int, previous: int, expected: str) -> None:
    assert describe_trend(count, previous) == expected


# --- Common phrases ---------------------------------------------------------------------------------------


def test_common_phrases_skip_stop_words_and_pronouns(log: IssueLog) -> None:
    for paraphrase, days_ago in [
        ("My parcel hasn't arrived yet", 1),
        ("Your courier says the parcel has not arrived", 2),
        ("The parcel did not arrive. Your website keeps logging me out", 3),
        ("Your website keeps logging me out again!", 4),
        ("you charged me twice", 5),
        ("You charged me twice on my card 4111 1111 1111 1111", 6),
        ("Website keeps logging out", 20),  # before the period
    ]:
        log.record(complaint(paraphrase=paraphrase, at=NOW - timedelta(days=days_ago)))

    phrases = log.common_phrases(NOW - timedelta(days=7), NOW, limit=10)

    # "parcel not" is in three entries ("did not arrive" too), the longer "parcel not arrived" in two.
    assert phrases == [
        ("parcel not", 3),
        ("parcel not arrived", 2),
        ("website keeps logging", 2),
        ("charged twice", 2),
    ]
    assert not any(word in phrase.split() for phrase, _ in phrases for word in ("you", "your", "my", "the"))


def test_common_phrases_count_each_entry_once_and_honour_the_limit() -> None:
    texts = ["refund not received refund not received", "refund not received", "box was wet", "wet box"]
    assert problem_phrases(texts, limit=5) == [("refund not received", 2)]
    assert problem_phrases(texts, limit=5, min_count=1)[0] == ("refund not received", 2)
    assert problem_phrases(["a b c"] * 3, limit=0) == []


def test_common_phrases_keep_a_shorter_phrase_that_is_more_common() -> None:
    texts = ["item arrived damaged", "item arrived damaged", "arrived damaged box", "late delivery"]
    assert problem_phrases(texts) == [("arrived damaged", 3), ("item arrived damaged", 2)]


def test_masked_data_never_forms_a_phrase() -> None:
    assert problem_phrases(["card [card] declined", "phone [phone] declined", "[email] declined"]) == []


# --- The report command -----------------------------------------------------------------------------------


def seed_recent_issues(log: IssueLog) -> None:
    now = datetime.now(timezone.utc)  # the command reports on the real last 7 days
    for category, paraphrase, days_ago in [
        ("late_delivery", "Parcel not arrived after two weeks", 1),
        ("late_delivery", "My parcel has not arrived", 2),
        ("late_delivery", "parcel not arrived, tracking stuck", 3),
        ("damaged_item", "Item arrived damaged", 2),
        ("damaged_item", "item arrived damaged", 10),
        ("billing", "Charged twice", 11),
    ]:
        log.record(complaint(category=category, paraphrase=paraphrase, at=now - timedelta(days=days_ago)))


def test_report_command_prints_tables_and_writes_a_png(
    log: IssueLog, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    seed_recent_issues(log)
    chart = tmp_path / "charts" / "issues.png"

    exit_code = issues_report.main(["--url", f"sqlite:///{db_path}", "--png", str(chart)])

    output = capsys.readouterr().out
    assert exit_code == 0
    assert "Issues in the last 7 days" in output and ": 4, previous 7 days: 2 (↑ +100%)" in output
    rows = {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.startswith("  ")}
    assert rows["late_delivery"] == ["3", "0", "↑", "new"]
    assert rows["damaged_item"] == ["1", "1", "→", "0%"]
    assert rows["billing"] == ["0", "1", "↓", "-100%"]
    assert "parcel not arrived" in output and "Most common phrases" in output
    assert chart.read_bytes().startswith(PNG_MAGIC)


def test_report_command_top_limits_the_rows(log: IssueLog, db_path: Path, capsys: pytest.CaptureFixture) -> None:
    seed_recent_issues(log)
    assert issues_report.main(["--url", f"sqlite:///{db_path}", "--top", "1"]) == 0
    output = capsys.readouterr().out
    assert "late_delivery" in output and "damaged_item" not in output and "billing" not in output


def test_report_command_on_an_empty_log(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    chart = tmp_path / "issues.png"
    assert issues_report.main(["--url", f"sqlite:///{db_path}", "--png", str(chart)]) == 0
    assert capsys.readouterr().out.strip() == "No issues logged in the last 7 days."
    assert not chart.exists()


def test_report_command_mentions_the_previous_period_when_this_one_is_empty(
    log: IssueLog, db_path: Path, capsys: pytest.CaptureFixture
) -> None:
    log.record(complaint(at=datetime.now(timezone.utc) - timedelta(hours=36)))
    assert issues_report.main(["--url", f"sqlite:///{db_path}", "--days", "1"]) == 0
    assert capsys.readouterr().out.strip() == "No issues logged in the last day. (1 in the day before.)"


def test_report_command_says_when_the_database_is_unreadable(capsys: pytest.CaptureFixture) -> None:
    assert issues_report.main(["--url", "nosuchdialect://user:secret@host/db"]) == 1
    error = capsys.readouterr().err
    assert "Cannot read the issue log" in error and "secret" not in error
