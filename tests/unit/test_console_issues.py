"""The frequent-issues page and API: chart, tables, period selection, escaping."""

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from test_console_support import XSS_SCRIPT, Browser, ConsoleUnderTest, running_console

from console.chart import category_chart
from console.present import parse_days, waiting_text
from customer_care.issue_log import CategoryTrend, IssueEntry, IssueLog


@pytest.fixture
def console(tmp_path: Path) -> Iterator[ConsoleUnderTest]:
    with running_console(tmp_path) as running:
        running.add_agent("alice", "Alice Agent")
        yield running


@pytest.fixture
def alice(console: ConsoleUnderTest) -> Browser:
    return console.browser("alice")


def seed(console: ConsoleUnderTest) -> None:
    log = IssueLog(console.settings.database_url)
    now = datetime.now(timezone.utc)

    def add(category: str, days_ago: float, kind: str = "complaint", paraphrase: str = "") -> None:
        log.record(
            IssueEntry(
                conversation_id=f"c-{category}-{days_ago}",
                kind=kind,
                category=category,
                paraphrase=paraphrase,
                created_at=now - timedelta(days=days_ago),
            )
        )

    for day in (1, 2, 3):
        add("late_delivery", day, paraphrase="The parcel has not arrived yet")
    add("damaged_item", 1, paraphrase="The parcel has not arrived in one piece")
    add("damaged_item", 10)  # the week before
    add(XSS_SCRIPT, 2, kind="escalation")
    add("billing", 20)  # 30-day period only


def test_issues_page_draws_a_chart_and_tables(console: ConsoleUnderTest, alice: Browser) -> None:
    seed(console)
    page = alice.get("/issues?days=7")
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") == 1 and 'role="img"' in html
    bars = re.findall(r'<rect class="bar-current" x="190" y="\d+" width="([\d.]+)" height="14">', html)
    assert bars == ["330.0", "110.0", "110.0"]  # one bar per category, the longest as wide as the chart
    assert ">late delivery</text>" in html and ">3 (↑ new)</text>" in html
    assert ">1 (→ 0%)</text>" in html  # damaged item: 1 now, 1 the week before
    assert '<td>late delivery</td><td class="number">3</td><td class="number">0</td><td>↑ new</td>' in html
    assert '<td>complaint</td><td class="number">4</td>' in html
    assert '<td>parcel not arrived</td><td class="number">4</td>' in html  # common phrases
    assert "5 issues in the last 7 days" in html
    assert XSS_SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "billing" not in html


def test_the_period_selector_changes_the_report(console: ConsoleUnderTest, alice: Browser) -> None:
    seed(console)
    html = alice.get("/issues?days=30").text
    assert '<option value="30" selected>' in html and "billing" in html and "7 issues in the last 30 days" in html
    custom = alice.get("/issues?days=45").text
    assert '<option value="45" selected>last 45 days</option>' in custom and "note" not in custom


def test_a_bad_period_falls_back_to_7_days_with_a_note(console: ConsoleUnderTest, alice: Browser) -> None:
    for days in ("abc", "0", "-3", "366", "7.5", "1e3", "99999999999999999999999"):
        page = alice.get("/issues", params={"days": days})
        assert page.status_code == 200, days
        assert "is not a number of days from 1 to 365; showing the last 7 days." in page.text, days
        assert '<option value="7" selected>' in page.text
        api = alice.get("/api/issues", params={"days": days}).json()
        assert api["days"] == 7 and "showing the last 7 days" in api["note"], days


def test_a_hostile_period_is_escaped_in_the_note(console: ConsoleUnderTest, alice: Browser) -> None:
    html = alice.get("/issues", params={"days": "<b>x"}).text
    assert "<b>x" not in html and "&lt;b&gt;x" in html


def test_an_empty_log_says_so(console: ConsoleUnderTest, alice: Browser) -> None:
    html = alice.get("/issues").text
    assert "<svg" not in html and "No issues were logged in this period or the one before." in html


def test_issues_api_returns_the_report(console: ConsoleUnderTest, alice: Browser) -> None:
    seed(console)
    report = alice.get("/api/issues?days=7").json()
    assert (report["days"], report["total"], report["previous_total"], report["note"]) == (7, 5, 1, None)
    assert report["categories"][0] == {
        "category": "late_delivery",
        "count": 3,
        "previous_count": 0,
        "change": 3,
        "trend": "↑ new",
    }
    assert {"category": XSS_SCRIPT, "count": 1, "previous_count": 0, "change": 1, "trend": "↑ new"} in report[
        "categories"
    ]
    assert report["kinds"] == [{"kind": "complaint", "count": 4}, {"kind": "escalation", "count": 1}]


def test_chart_geometry_scales_to_the_largest_count() -> None:
    chart = category_chart(
        [
            CategoryTrend("late_delivery", 4, 2),
            CategoryTrend("a_very_long_category_name_indeed", 1, 0),
            CategoryTrend("gone", 0, 0),
        ]
    )
    assert chart is not None
    assert [bar.width for bar in chart.bars] == [330.0, 82.5]
    assert chart.bars[0].previous_width == 165.0
    assert chart.bars[1].label == "a very long category name…"
    assert chart.height == 34 + 2 * 34
    assert category_chart([]) is None and category_chart([CategoryTrend("x", 0, 0)]) is None


@pytest.mark.parametrize(
    "text, expected", [(None, (7, None)), ("", (7, None)), ("1", (1, None)), ("365", (365, None)), (" 30 ", (30, None))]
)
def test_parse_days_accepts_whole_days_up_to_a_year(text: str, expected: tuple) -> None:
    assert parse_days(text) == expected


def test_waiting_text() -> None:
    assert [waiting_text(s) for s in (5, 60, 3599, 3600, 5400, 86400, 90000)] == [
        "under a minute",
        "1 min",
        "59 min",
        "1 h",
        "1 h 30 min",
        "1 d",
        "1 d 1 h",
    ]
