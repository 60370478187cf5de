"""customer_care.retention on the assistant's own database: issue log rows and closed tickets lose their texts but
keep their statistics, old inbox messages go with their marks and choices while labels stay; nothing is created
where there is no database yet, and one that fails does not stop the others (retention_helpers fills them)."""

import sqlite3
from collections import Counter
from pathlib import Path

from customer_care.issue_log import IssueEntry, IssueLog
from customer_care.retention import purge
from customer_care.tickets import TicketStore
from tests.unit.retention_helpers import (
    CARD,
    CUTOFF,
    DAYS,
    NOW,
    World,
    days_ago,
    seed_care_database,
    session,
    write_endpoints,
)


def test_issue_log_rows_stay_with_their_statistics_and_lose_their_raw_texts(world: World) -> None:
    ids = seed_care_database(world)
    log = IssueLog(world.care_url)
    before = {entry.id: entry for entry in log.entries()}
    counts = (log.category_counts(), log.kind_counts(), log.frequency_report(days=60, now=NOW))
    assert "[card]" in before[ids["old_complaint"]].raw_text  # masked when written

    report = world.purge()

    after = {entry.id: entry for entry in log.entries()}
    assert after.keys() == before.keys()
    old = after[ids["old_complaint"]]
    assert (old.raw_text, old.comment, old.order_number) == ("", None, None)
    assert old.paraphrase == "your kettle arrived broken"
    assert (old.kind, old.category, old.severity, old.outcome, old.rating, old.created_at, old.conversation_id) == (
        "complaint",
        "damaged_item",
        ("anger",),
        "solution_accepted",
        2,
        before[old.id].created_at,
        "old-ana",
    )
    assert after[ids["old_fallback"]].raw_text == ""
    assert after[ids["recent"]] == before[ids["recent"]]
    assert (log.category_counts(), log.kind_counts(), log.frequency_report(days=60, now=NOW)) == counts
    assert report.count("assistant database", "issue_log") == 3
    log.close_connections()


def test_masked_counts_and_phrases_stay_equal(world: World) -> None:
    seed_care_database(world)
    log = IssueLog(world.care_url)
    for day in (40, 41, 42):
        log.record(
            IssueEntry(
                conversation_id=f"c-{day}",
                kind="complaint",
                category="late_delivery",
                raw_text="My parcel has not arrived, email me at x@example.com",
                paraphrase="your parcel has not arrived",
                outcome="escalated",
                created_at=days_ago(day),
            )
        )
    periods = [(None, None), (days_ago(90), CUTOFF), (CUTOFF, NOW)]
    before = [
        (log.category_counts(*period), log.kind_counts(*period), log.common_phrases(*period)) for period in periods
    ]
    ratings = Counter((entry.kind, entry.category, entry.outcome, entry.rating) for entry in log.entries())

    world.purge()

    assert [
        (log.category_counts(*period), log.kind_counts(*period), log.common_phrases(*period)) for period in periods
    ] == before
    assert Counter((entry.kind, entry.category, entry.outcome, entry.rating) for entry in log.entries()) == ratings
    assert ("parcel not arrived", 3) in before[1][2]
    log.close_connections()


def test_closed_tickets_lose_their_texts_but_keep_id_category_times_and_outcome(world: World) -> None:
    ids = seed_care_database(world)
    tickets = TicketStore(world.care_url)
    before = {
        ticket_id: tickets.get(ticket_id) for ticket_id in (ids["old_ticket"], ids["open_ticket"], ids["closed_lately"])
    }

    report = world.purge()

    old, was = tickets.get(ids["old_ticket"]), before[ids["old_ticket"]]
    assert (old.summary, old.customer_name, old.customer_email) == ("", None, None)
    assert old.outcome == "Replacement sent; confirmed to [email]"
    assert (
        old.id,
        old.conversation_id,
        old.reason,
        old.category,
        old.priority,
        old.status,
        old.assigned_agent,
        old.created_at,
        old.updated_at,
        old.closed_at,
    ) == (
        was.id,
        was.conversation_id,
        was.reason,
        was.category,
        was.priority,
        was.status,
        was.assigned_agent,
        was.created_at,
        was.updated_at,
        was.closed_at,
    )
    assert tickets.get(ids["open_ticket"]) == before[ids["open_ticket"]]  # still waiting after 40 days
    assert tickets.get(ids["closed_lately"]) == before[ids["closed_lately"]]  # closed 5 days ago
    assert report.count("assistant database", "tickets") == 1
    tickets.close_connections()


def test_inbox_messages_older_than_the_days_go_with_their_marks_and_choices_but_labels_stay(world: World) -> None:
    world.converse(
        "old-ana",
        session(
            days_ago(45),
            ("whre is my parcle", "nlu_fallback"),
            ("/track_order", "track_order"),
            (f"card {CARD} charged twice", "complaint"),
        ),
    )
    world.converse("recent-bo", session(days_ago(2), ("whre is my parcle", "nlu_fallback"), ("hello", "greet")))
    inbox = world.inbox()
    assert inbox.sync() == 4
    old_message = next(
        message
        for group in inbox.groups(flagged_only=False)
        for message in group.messages
        if message.conversation_id == "old-ana" and "card" in message.text
    )
    assert "[card]" in old_message.text
    assert inbox.mark_misunderstood("old-ana", old_message.text, old_message.sent_at, "sam")
    inbox.mark_misunderstood("old-ana", "a message never synced", days_ago(44), "sam")
    fallback = inbox.group("whre is my parcle")
    assert fallback.count == 2 and fallback.customer_choices == {"track_order": 1}
    inbox.label(["whre is my parcle"], "intent", "tara", intent="track_order")
    approved = inbox.approved_examples()

    report = world.purge()

    remaining = [
        message for group in inbox.groups(flagged_only=False, include_labelled=True) for message in group.messages
    ]
    assert {message.conversation_id for message in remaining} == {"recent-bo"}
    assert len(remaining) == 2
    fallback = inbox.group("whre is my parcle")
    assert fallback.count == 1 and fallback.customer_choices == {}
    assert inbox.approved_examples() == approved
    with sqlite3.connect(world.root / "var" / "care.db") as connection:
        assert connection.execute("SELECT count(*) FROM inbox_marks").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM inbox_clarifications").fetchone() == (0,)
    assert report.count("assistant database", "inbox_messages") == 2
    assert report.count("assistant database", "inbox_marks") == 2
    assert report.count("assistant database", "inbox_clarifications") == 1
    assert inbox.sync() == 0  # the broker's old rows went too; nothing comes back
    inbox.close()


def test_nothing_is_created_where_there_is_no_database_yet(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    endpoints = write_endpoints(root / "endpoints.yml", root / "var" / "tracker.db", root / "var" / "events.db")

    report = purge(
        DAYS,
        endpoints=endpoints,
        database_url=f"sqlite:///{root / 'var' / 'care.db'}",
        events_url=f"sqlite:///{root / 'var' / 'events.db'}",
    )

    assert report.tables == [] and report.failures == []
    assert sorted(path.name for path in root.iterdir()) == ["endpoints.yml"]


def test_a_database_that_fails_is_reported_and_the_others_are_still_purged(world: World) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    seed_care_database(world)
    world.tracker_db.write_bytes(b"this is not a database" * 100)

    report = world.purge()

    assert len(report.failures) == 1 and report.failures[0].startswith("tracker store at sqlite:///")
    assert world.broker_rows("old-ana") == []
    assert report.count("assistant database", "issue_log") == 3
