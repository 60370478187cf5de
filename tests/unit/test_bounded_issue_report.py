"""Bounded work per message (issue 14) in the issue report: the common phrases of any texts, found in linear time,
and computed off the console's event loop."""

import asyncio
import threading
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_care.issue_log import CategoryTrend, Report
from customer_care.problem_phrases import problem_phrases
from tests.unit.bounded_input_helpers import BUDGET_SECONDS, FAST, best_time, customer_text, timed
from tools import issues_report

# The complaint rules are built before the first test (the conftest's warmed_up), not inside a call's budget.
pytestmark = pytest.mark.usefixtures("warmed_up")


@FAST
@given(st.lists(customer_text, max_size=6))
def test_common_phrases_of_any_texts_are_bounded(texts: List[str]) -> None:
    phrases = timed(problem_phrases, texts + texts)
    assert all(count >= 2 for _, count in phrases)
    report = Report(
        days=7,
        since=datetime(2026, 3, 3, tzinfo=timezone.utc),
        until=datetime(2026, 3, 10, tzinfo=timezone.utc),
        total=2,
        previous_total=1,
        categories=[CategoryTrend(text, 2, 1) for text in texts[:3]] or [CategoryTrend("other", 2, 1)],
        kinds=[("complaint", 2)],
        phrases=phrases or [(text, 2) for text in texts[:3]],
    )
    table = timed(issues_report.format_report, report)
    assert "Most common phrases" in table
    assert max(len(line) for line in table.splitlines()[2:]) <= issues_report.MAX_LABEL_CHARACTERS + 40
    timed(issues_report.empty_message, report)


def test_frequent_issue_phrases_scale_linearly() -> None:
    """Was quadratic: each common phrase was compared with every other one (0.19 s for 1,000 texts, 3.4 s for
    4,000), on the agent console's event loop."""

    def texts(count: int) -> List[str]:  # `count` different complaints, each made twice: all their phrases common
        letters = "abcdefghij"
        words = ["".join(letters[int(digit)] for digit in f"{number:05d}") for number in range(3 * count)]
        unique = [f"parcel {words[3 * i]} {words[3 * i + 1]} {words[3 * i + 2]}" for i in range(count)]
        return unique + unique

    small, large = texts(500), texts(2_000)
    small_time = best_time(lambda: problem_phrases(small))
    large_time = best_time(lambda: problem_phrases(large))
    assert large_time < BUDGET_SECONDS
    assert large_time < 8 * small_time + 0.01, (small_time, large_time)  # linear: 4x; quadratic: 16x
    # Still right: a shorter phrase as common as the longer one holding it is left out.
    phrases = problem_phrases(["item arrived damaged"] * 2 + ["arrived damaged box"] + ["late delivery"])
    assert phrases == [("arrived damaged", 3), ("item arrived damaged", 2)]
    assert ("parcel aaaaa aaaab", 2) in problem_phrases(small, limit=10_000)
    assert all(len(phrase.split()) == 3 for phrase, _ in problem_phrases(small, limit=10_000))


def test_the_issues_report_is_computed_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The console's report handlers hand the phrase comparison to a worker thread, so the console keeps serving
    other agents while it runs."""
    from console import api, pages

    threads: List[int] = []
    now = datetime.now(timezone.utc)

    def frequency_report(days: int) -> Report:
        threads.append(threading.get_ident())
        time.sleep(0.2)
        return Report(days=days, since=now - timedelta(days=days), until=now, total=0, previous_total=0)

    request = SimpleNamespace(
        args={"days": "7"},
        app=SimpleNamespace(
            ctx=SimpleNamespace(console=SimpleNamespace(issues=SimpleNamespace(frequency_report=frequency_report)))
        ),
    )
    monkeypatch.setattr(pages, "render", lambda request, template, **values: values)

    async def serve_and_tick() -> Dict[str, Any]:
        loop_thread = threading.get_ident()
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.ensure_future(ticker())
        response = await api.issues(request)
        page = await pages.issues_page(request)
        ticking.cancel()
        return {"loop": loop_thread, "ticks": ticks, "status": response.status, "page": page}

    served = asyncio.run(serve_and_tick())
    assert served["status"] == 200 and served["page"]["report"]["days"] == 7
    assert len(threads) == 2 and served["loop"] not in threads
    assert served["ticks"] >= 10  # the loop went on with other work during the 0.4 s of reports
