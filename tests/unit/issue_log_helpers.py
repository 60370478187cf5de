"""Shared by the issue log's tests (test_issue_log_storage, test_issue_reports): a log of its own on a fresh file,
and complaint entries to fill it with.

The fixtures are imported by those modules (`from ... import log as log`) rather than put in conftest.py: their
`log` replaces the conftest's autouse `log` (the actions' issue log) for their tests only, which a fixture of the
same name can do from the test module, not from the same conftest.
"""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Optional

import pytest

from customer_care.issue_log import IssueEntry, IssueLog

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


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
