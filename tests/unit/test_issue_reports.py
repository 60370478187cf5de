"""The issue log's reports: half-open periods, category counts and their trends against the previous period,
the common problem phrases, and the report command (tools.issues_report)."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from customer_care.issue_log import UNCATEGORISED, CategoryTrend, IssueEntry, IssueLog, describe_trend
from customer_care.problem_phrases import problem_phrases
from tests.unit.issue_log_helpers import NOW, complaint

# The log of these tests (replacing the conftest's autouse one), on a file of its own.
from tests.unit.issue_log_helpers import db_path as db_path
from tests.unit.issue_log_helpers import log as log
from tools import issues_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

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
