"""customer_care.retention on the conversations (the tracker store and the event broker): what is older than N
days goes, a session going on at the cut-off stays whole, conversations with an open ticket keep their events, and
purging again, in small batches, or as a dry run changes nothing more (retention_helpers fills the databases)."""

from datetime import timedelta
from pathlib import Path

from rasa.core.brokers.sql import SQLEventBroker
from rasa.shared.core.constants import ACTION_SESSION_START_NAME

from customer_care.retention import purge
from customer_care.tickets import NewTicket, TicketStore
from tests.unit.retention_helpers import (
    CARD,
    CUTOFF,
    DAYS,
    NOW,
    World,
    days_ago,
    fingerprint,
    seed_care_database,
    session,
    write_endpoints,
)

# --- The tracker store and the broker ----------------------------------------------------------------------


def test_purge_deletes_conversations_older_than_the_retention_days(world: World) -> None:
    world.converse(
        "old-ana",
        session(
            days_ago(45), ("my kettle arrived broken", "complaint"), (f"the card {CARD} was charged twice", "complaint")
        ),
    )
    world.converse("recent-bo", session(days_ago(2), ("where is my order 109112", "track_order")))
    recent_tracker, recent_broker = world.tracker_rows("recent-bo"), world.broker_rows("recent-bo")
    old_rows = len(world.tracker_rows("old-ana"))
    assert old_rows == 11 and len(world.broker_rows("old-ana")) == old_rows
    assert any(CARD in row[-1] for row in world.broker_rows("old-ana"))
    recent_events = world.retrieve("recent-bo").events

    report = world.purge()

    assert world.tracker_rows("old-ana") == []
    assert world.broker_rows("old-ana") == []
    assert world.retrieve("old-ana") is None
    assert world.tracker_rows("recent-bo") == recent_tracker
    assert world.broker_rows("recent-bo") == recent_broker
    assert list(world.retrieve("recent-bo").events) == list(recent_events)
    assert not any(CARD in row[-1] for row in world.tracker_rows() + world.broker_rows())
    assert report.count("tracker store", "events") == old_rows
    assert report.count("event broker", "events") == old_rows
    assert report.failures == []


def test_a_session_going_on_at_the_cut_off_is_kept_whole_and_older_sessions_go(world: World) -> None:
    world.converse(
        "returning-cy",
        session(days_ago(60), ("hi, I'm Cy", "greet"), slots={}),
        session(days_ago(40), ("cancel order 104233", "cancel_order"), slots={"customer_name": "Cy"}),
        # Started ten minutes before the cut-off; its first customer message comes after it.
        session(
            CUTOFF - timedelta(minutes=10), *[("is it shipped yet", "track_order")] * 12, slots={"customer_name": "Cy"}
        ),
    )
    world.converse(
        "back-today-di",
        session(days_ago(50), ("call me Di", "greet")),
        session(days_ago(1), ("where is my refund", "track_refund"), slots={"customer_name": "Di"}),
    )
    rows = world.tracker_rows("returning-cy")
    spanning_start = [row for row in rows if row[4] == ACTION_SESSION_START_NAME][-1]
    before = {sender: world.retrieve(sender) for sender in ("returning-cy", "back-today-di")}

    report = world.purge()

    kept = world.tracker_rows("returning-cy")
    assert kept == [row for row in rows if row[0] >= spanning_start[0]]
    assert kept[0][4] == ACTION_SESSION_START_NAME and kept[1][2] == "session_started"
    assert min(row[3] for row in kept) < CUTOFF.timestamp()  # the session's start is older, and stays
    di = world.tracker_rows("back-today-di")
    assert di[0][4] == ACTION_SESSION_START_NAME and all(row[3] >= days_ago(1).timestamp() for row in di)
    for sender, tracker in before.items():
        after = world.retrieve(sender)
        assert list(after.events) == list(tracker.events)
        assert after.get_slot("customer_name") == tracker.get_slot("customer_name")
    assert world.retrieve("back-today-di").get_slot("customer_name") == "Di"
    assert "2 cut to their current session" in report.tables[0].details


def test_conversations_with_an_open_ticket_keep_their_events(world: World) -> None:
    world.converse("waiting-ed", session(days_ago(40), ("I want a person", "contact_human_agent")))
    world.converse("closed-fy", session(days_ago(40), ("I want a person", "contact_human_agent")))
    tickets = TicketStore(world.care_url)
    waiting = tickets.open_ticket(NewTicket("waiting-ed", "customer_asked", "normal"), now=days_ago(40))
    closed = tickets.open_ticket(NewTicket("closed-fy", "customer_asked", "normal"), now=days_ago(40))
    tickets.close_ticket(closed.id, "sam", "resolved", "sorted", now=days_ago(39))
    tickets.close_connections()
    waiting_rows = world.tracker_rows("waiting-ed")

    report = world.purge()

    assert world.tracker_rows("waiting-ed") == waiting_rows
    assert world.tracker_rows("closed-fy") == []
    assert world.broker_rows("waiting-ed") == []  # the broker is the inbox's stream, not the agent's transcript
    assert "1 with an open ticket kept whole" in report.tables[0].details
    assert TicketStore(world.care_url).get(waiting.id).status == "waiting"


def test_broker_rows_are_judged_by_their_event_time_and_unreadable_ones_by_the_next_row(world: World) -> None:
    first = session(days_ago(31), ("hello", "greet"))
    world.converse("old-gus", first)
    broker = SQLEventBroker(db=str(world.events_db))
    broker.publish({"sender_id": "x", "event": "user", "text": "no time"})  # between old rows: goes with them
    world.converse("old-gus", first, session(days_ago(31) + timedelta(hours=1), ("still there?", "greet")))
    assert len(world.broker_rows("old-gus")) == 14
    world.converse("new-hal", session(days_ago(29), ("hello", "greet")))
    with broker.session_scope() as database:  # after a newer row: kept
        database.add(broker.SQLBrokerEvent(sender_id="y", data="{not json"))
        database.commit()
    broker.engine.dispose()

    world.purge()

    assert {row[1] for row in world.broker_rows()} == {"new-hal", "y"}


def test_the_inbox_still_reads_new_events_after_every_broker_row_was_old(world: World) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    inbox = world.inbox()
    assert inbox.sync() == 1
    newest = world.broker_rows()[-1][0]

    report = world.purge()

    assert world.broker_rows() == [(newest, None, "{}")]  # no customer data, but the numbering goes on
    assert report.count("event broker", "events") == 7
    world.converse("new-bo", session(days_ago(0), ("is my order 109112 shipped", "track_order")))
    assert world.broker_rows("new-bo")[0][0] == newest + 1
    assert inbox.sync() == 1
    assert [group.text for group in inbox.groups(flagged_only=False)] == ["is my order 109112 shipped"]
    inbox.close()


def test_purging_twice_deletes_nothing_more(world: World) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    world.converse("recent-bo", session(days_ago(2), ("hi", "greet")))
    seed_care_database(world)
    world.purge()
    after_first = fingerprint(world.tracker_db, world.events_db, world.root / "var" / "care.db")

    second = world.purge()

    assert all(outcome.rows == 0 for outcome in second.tables), second.lines()
    assert fingerprint(world.tracker_db, world.events_db, world.root / "var" / "care.db") == after_first


def test_small_batches_delete_the_same_rows_as_one_big_batch(world: World, tmp_path: Path) -> None:
    for number in range(7):
        world.converse(f"old-{number}", session(days_ago(40 + number), *[("hello", "greet")] * 3))
    world.converse("recent", session(days_ago(3), ("hello", "greet")))
    seed_care_database(world)
    world.store.engine.dispose()  # writes the write-ahead log into the file, which is copied below
    world.store.event_broker.engine.dispose()
    copies = {}
    for batch in (2, 500):
        copy = tmp_path / f"copy-{batch}"
        copy.mkdir()
        for name in ("tracker.db", "events.db", "care.db"):
            (copy / name).write_bytes((world.root / "var" / name).read_bytes())
        report = purge(
            DAYS,
            now=NOW,
            endpoints=write_endpoints(copy / "endpoints.yml", copy / "tracker.db", copy / "events.db"),
            database_url=f"sqlite:///{copy / 'care.db'}",
            events_url=f"sqlite:///{copy / 'events.db'}",
            batch_size=batch,
        )
        copies[batch] = (report.lines(), fingerprint(copy / "tracker.db", copy / "events.db", copy / "care.db"))
    assert copies[2] == copies[500]
    assert "tracker store: events: 105 events deleted (7 conversations removed" in "\n".join(copies[2][0])


def test_a_dry_run_counts_what_would_go_and_changes_nothing(world: World) -> None:
    world.converse("old-ana", session(days_ago(45), ("my kettle arrived broken", "complaint")))
    world.converse("recent-bo", session(days_ago(2), ("hi", "greet")))
    seed_care_database(world)
    paths = (world.tracker_db, world.events_db, world.root / "var" / "care.db")
    before = fingerprint(*paths)

    dry = world.purge(dry_run=True)

    assert fingerprint(*paths) == before
    real = world.purge()
    assert [(o.table, o.rows) for o in dry.tables] == [(o.table, o.rows) for o in real.tables]
    assert any(outcome.rows for outcome in real.tables)
    assert dry.lines()[0].startswith("Would delete what is older than 30 days")
