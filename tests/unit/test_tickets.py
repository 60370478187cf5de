import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, List
from zoneinfo import ZoneInfo

import pytest

from customer_care.tickets import PRIORITIES, NewTicket, Priority, TicketError, TicketStatus, TicketStore

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'care.db'}"


@pytest.fixture
def store(url: str) -> Iterator[TicketStore]:
    ticket_store = TicketStore(url)
    yield ticket_store
    ticket_store.close_connections()


def new(conversation_id: str = "conv-1", priority: str = "normal", **fields: object) -> NewTicket:
    values = {"reason": "customer_asked", "summary": "Wants to talk to a person", **fields}
    return NewTicket(conversation_id=conversation_id, priority=priority, **values)  # type: ignore[arg-type]


# --- opening -------------------------------------------------------------------------------------------------


def test_open_ticket_returns_a_waiting_ticket_with_its_fields_and_timestamps(store: TicketStore) -> None:
    ticket = store.open_ticket(
        new(
            "conv-7",
            "high",
            reason="safety",
            category="damaged_item",
            customer_name="Ann Lee",
            customer_email="ann@example.com",
            summary="The kettle caught fire",
        ),
        now=NOW,
    )

    assert isinstance(ticket.id, int)
    assert ticket.status == TicketStatus.WAITING.value == "waiting"
    assert ticket.is_open
    assert (ticket.conversation_id, ticket.reason, ticket.priority, ticket.category) == (
        "conv-7",
        "safety",
        "high",
        "damaged_item",
    )
    assert (ticket.customer_name, ticket.customer_email) == ("Ann Lee", "ann@example.com")
    assert ticket.summary == "The kettle caught fire"
    assert ticket.assigned_agent is None and ticket.outcome is None and ticket.closed_at is None
    assert ticket.created_at == NOW
    assert ticket.updated_at == NOW
    assert store.get(ticket.id) == ticket


def test_open_ticket_without_now_stamps_the_current_time(store: TicketStore) -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    ticket = store.open_ticket(new())
    after = datetime.now(timezone.utc) + timedelta(seconds=1)

    assert before <= ticket.created_at <= after
    assert ticket.updated_at == ticket.created_at


def test_a_second_open_for_the_same_conversation_returns_the_open_ticket(store: TicketStore) -> None:
    first = store.open_ticket(new("conv-1", "low", summary="first"), now=NOW)
    again = store.open_ticket(new("conv-1", "urgent", summary="second"), now=NOW + timedelta(minutes=5))

    assert again == first  # the original, unchanged: same id, priority, summary and time
    assert [ticket.id for ticket in store.queue()] == [first.id]


def test_a_claimed_ticket_still_counts_as_the_open_one(store: TicketStore) -> None:
    first = store.open_ticket(new("conv-1"), now=NOW)
    store.claim(first.id, "sam", now=NOW)

    again = store.open_ticket(new("conv-1"), now=NOW + timedelta(minutes=1))

    assert again.id == first.id
    assert again.status == "claimed"


def test_a_new_ticket_is_created_once_the_first_is_closed(store: TicketStore) -> None:
    first = store.open_ticket(new("conv-1"), now=NOW)
    store.close_ticket(first.id, "sam", "resolved", now=NOW + timedelta(minutes=10))

    second = store.open_ticket(new("conv-1", summary="again"), now=NOW + timedelta(minutes=20))

    assert second.id != first.id
    assert second.status == "waiting"
    assert second.summary == "again"
    assert store.open_for_conversation("conv-1") == second


def test_other_conversations_get_their_own_tickets(store: TicketStore) -> None:
    one = store.open_ticket(new("conv-1"), now=NOW)
    two = store.open_ticket(new("conv-2"), now=NOW)

    assert one.id != two.id
    assert store.open_for_conversation("conv-1") == one
    assert store.open_for_conversation("conv-2") == two
    assert store.open_for_conversation("conv-3") is None


@pytest.mark.parametrize("priority", ["critical", "", "URGENT", "Normal"])
def test_unknown_priority_raises_value_error_and_stores_nothing(store: TicketStore, priority: str) -> None:
    with pytest.raises(ValueError, match="priority"):
        store.open_ticket(new(priority=priority), now=NOW)
    assert store.queue() == []


def test_a_priority_member_is_stored_as_its_plain_value(store: TicketStore, url: str) -> None:
    assert PRIORITIES == ("urgent", "high", "normal", "low")  # the queue's order, most urgent first
    store.open_ticket(new(priority=Priority.URGENT), now=NOW)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        assert connection.execute("SELECT priority FROM tickets").fetchone() == ("urgent",)
    assert type(store.queue()[0].priority) is str


def test_an_empty_summary_is_stored_as_empty_text(store: TicketStore) -> None:
    ticket = store.open_ticket(new(summary=""), now=NOW)
    assert ticket.summary == ""


# --- queue ---------------------------------------------------------------------------------------------------


def test_queue_orders_by_priority_then_oldest_first(store: TicketStore) -> None:
    opened = {}
    for minutes, (name, priority) in enumerate(
        [
            ("normal-old", "normal"),
            ("low-oldest", "low"),
            ("high-new", "high"),
            ("urgent", "urgent"),
            ("normal-new", "normal"),
            ("high-old", "high"),
        ]
    ):
        # the opening order scrambles time against priority; "-old" ones get an earlier explicit time
        at = NOW - timedelta(hours=1) + timedelta(minutes=minutes)
        if name == "high-old":
            at = NOW - timedelta(hours=3)
        if name == "low-oldest":
            at = NOW - timedelta(days=2)
        opened[store.open_ticket(new(name, priority), now=at).id] = name

    order = [opened[ticket.id] for ticket in store.queue()]

    assert order == ["urgent", "high-old", "high-new", "normal-old", "normal-new", "low-oldest"]


def test_queue_prefers_the_older_ticket_even_when_it_was_inserted_later(store: TicketStore) -> None:
    late_insert_but_older = NOW - timedelta(hours=2)
    newer = store.open_ticket(new("conv-newer"), now=NOW)
    older = store.open_ticket(new("conv-older"), now=late_insert_but_older)

    assert [ticket.id for ticket in store.queue()] == [older.id, newer.id]


def test_queue_includes_claimed_but_excludes_closed_tickets(store: TicketStore) -> None:
    waiting = store.open_ticket(new("conv-w"), now=NOW)
    claimed = store.open_ticket(new("conv-c"), now=NOW)
    resolved = store.open_ticket(new("conv-r"), now=NOW)
    handed_back = store.open_ticket(new("conv-h"), now=NOW)
    store.claim(claimed.id, "sam", now=NOW)
    store.close_ticket(resolved.id, "sam", "resolved", now=NOW)
    store.close_ticket(handed_back.id, "sam", "handed_back", now=NOW)

    assert {ticket.id for ticket in store.queue()} == {waiting.id, claimed.id}


def test_queue_is_empty_without_tickets(store: TicketStore) -> None:
    assert store.queue() == []


# --- claiming ------------------------------------------------------------------------------------------------


def test_claim_sets_status_agent_and_update_time(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)

    claimed = store.claim(ticket.id, "sam", now=NOW + timedelta(minutes=3))

    assert claimed.status == "claimed"
    assert claimed.assigned_agent == "sam"
    assert claimed.is_open
    assert claimed.created_at == NOW
    assert claimed.updated_at == NOW + timedelta(minutes=3)
    assert store.get(ticket.id) == claimed


def test_claiming_a_ticket_claimed_by_someone_else_raises(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)
    store.claim(ticket.id, "sam", now=NOW)

    with pytest.raises(TicketError, match="sam"):
        store.claim(ticket.id, "kim", now=NOW)
    assert store.get(ticket.id).assigned_agent == "sam"


def test_the_same_agent_may_claim_again(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)
    store.claim(ticket.id, "sam", now=NOW)

    again = store.claim(ticket.id, "sam", now=NOW + timedelta(minutes=1))

    assert again.assigned_agent == "sam"
    assert again.status == "claimed"
    assert again.updated_at == NOW + timedelta(minutes=1)


def test_claiming_a_closed_ticket_raises(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)
    store.close_ticket(ticket.id, "sam", "resolved", now=NOW)

    with pytest.raises(TicketError, match="resolved"):
        store.claim(ticket.id, "sam", now=NOW)


def test_claiming_an_unknown_ticket_raises(store: TicketStore) -> None:
    with pytest.raises(TicketError):
        store.claim(4242, "sam")


def test_agents_claiming_at_the_same_moment_cannot_both_succeed(url: str, store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)
    consoles = [TicketStore(url) for _ in range(6)]
    start = threading.Barrier(len(consoles))
    winners: List[str] = []

    def claim(console: TicketStore, agent: str) -> None:
        start.wait()
        try:
            console.claim(ticket.id, agent, now=NOW)
            winners.append(agent)
        except TicketError:
            pass

    threads = [threading.Thread(target=claim, args=(console, f"agent{i}")) for i, console in enumerate(consoles)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for console in consoles:
        console.close_connections()
    assert len(winners) == 1, f"{winners} were all told the ticket is theirs"
    assert store.get(ticket.id).assigned_agent == winners[0]


# --- closing -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["resolved", "handed_back"])
def test_close_sets_closed_at_outcome_and_status(store: TicketStore, status: str) -> None:
    ticket = store.open_ticket(new(), now=NOW)
    store.claim(ticket.id, "sam", now=NOW + timedelta(minutes=1))
    closed_at = NOW + timedelta(minutes=30)

    closed = store.close_ticket(ticket.id, "sam", status, outcome="  Sent a replacement.  ", now=closed_at)

    assert closed.status == status
    assert not closed.is_open
    assert closed.closed_at == closed_at
    assert closed.updated_at == closed_at
    assert closed.outcome == "Sent a replacement."
    assert closed.assigned_agent == "sam"
    assert store.get(ticket.id) == closed
    assert store.open_for_conversation(ticket.conversation_id) is None


def test_closing_an_unclaimed_ticket_records_who_closed_it(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)

    closed = store.close_ticket(ticket.id, "kim", "handed_back", now=NOW)

    assert closed.assigned_agent == "kim"
    assert closed.status == "handed_back"


def test_a_blank_outcome_is_stored_as_none(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)
    assert store.close_ticket(ticket.id, "sam", "resolved", outcome="   ", now=NOW).outcome is None


@pytest.mark.parametrize("status", ["waiting", "claimed", "closed", "done", ""])
def test_closing_with_another_status_raises_value_error(store: TicketStore, status: str) -> None:
    ticket = store.open_ticket(new(), now=NOW)

    with pytest.raises(ValueError, match="resolved"):
        store.close_ticket(ticket.id, "sam", status, now=NOW)
    assert store.get(ticket.id).status == "waiting"


def test_closing_an_already_closed_ticket_raises(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)
    store.close_ticket(ticket.id, "sam", "resolved", outcome="first", now=NOW)

    with pytest.raises(TicketError, match="already resolved"):
        store.close_ticket(ticket.id, "sam", "handed_back", outcome="second", now=NOW + timedelta(hours=1))
    unchanged = store.get(ticket.id)
    assert (unchanged.status, unchanged.outcome, unchanged.closed_at) == ("resolved", "first", NOW)


def test_another_agent_cannot_close_a_claimed_ticket(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)
    store.claim(ticket.id, "sam", now=NOW)

    with pytest.raises(TicketError, match="sam"):
        store.close_ticket(ticket.id, "kim", "resolved", now=NOW)
    still = store.get(ticket.id)
    assert (still.status, still.assigned_agent, still.closed_at) == ("claimed", "sam", None)


def test_closing_an_unknown_ticket_raises(store: TicketStore) -> None:
    with pytest.raises(TicketError):
        store.close_ticket(4242, "sam", "resolved")


# --- lookups -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ticket_id", [0, 1, 999])
def test_get_of_an_unknown_id_raises(store: TicketStore, ticket_id: int) -> None:
    with pytest.raises(TicketError, match=str(ticket_id)):
        store.get(ticket_id)


def test_customer_history_finds_the_same_conversation_or_e_mail_newest_first(store: TicketStore) -> None:
    earlier_same_conversation = store.open_ticket(new("conv-1"), now=NOW - timedelta(days=3))
    store.close_ticket(earlier_same_conversation.id, "sam", "resolved", now=NOW - timedelta(days=3))
    same_email = store.open_ticket(new("conv-2", customer_email="ann@example.com"), now=NOW - timedelta(days=1))
    store.open_ticket(new("conv-3", customer_email="bob@example.com"), now=NOW)  # someone else
    store.open_ticket(new("conv-4"), now=NOW)  # someone else, no e-mail
    current = store.open_ticket(new("conv-1", customer_email="ann@example.com"), now=NOW)

    history = store.customer_history(current)

    assert [ticket.id for ticket in history] == [same_email.id, earlier_same_conversation.id]
    assert current.id not in [ticket.id for ticket in history]


def test_customer_history_without_e_mail_matches_only_the_conversation(store: TicketStore) -> None:
    store.open_ticket(new("conv-2", customer_email=None), now=NOW)  # another anonymous customer
    earlier = store.open_ticket(new("conv-1"), now=NOW - timedelta(days=1))
    store.close_ticket(earlier.id, "sam", "resolved", now=NOW - timedelta(days=1))
    current = store.open_ticket(new("conv-1"), now=NOW)

    assert [ticket.id for ticket in store.customer_history(current)] == [earlier.id]


def test_customer_history_of_a_first_ticket_is_empty(store: TicketStore) -> None:
    store.open_ticket(new("conv-9", customer_email="zed@example.com"), now=NOW)
    ticket = store.open_ticket(new("conv-1", customer_email="ann@example.com"), now=NOW)

    assert store.customer_history(ticket) == []


# --- times ---------------------------------------------------------------------------------------------------


def test_waiting_seconds_counts_from_creation(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=NOW)

    assert ticket.waiting_seconds(NOW + timedelta(minutes=5, seconds=7)) == 307
    assert ticket.waiting_seconds(NOW) == 0
    assert ticket.waiting_seconds(NOW - timedelta(minutes=1)) == 0  # never negative


def test_waiting_seconds_defaults_to_now(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=datetime.now(timezone.utc) - timedelta(minutes=2))
    assert 119 <= ticket.waiting_seconds() <= 125


def test_times_come_back_timezone_aware_utc(store: TicketStore) -> None:
    berlin = datetime(2026, 7, 7, 14, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # 12:30 UTC in summer
    ticket = store.open_ticket(new(), now=berlin)
    closed = store.close_ticket(ticket.id, "sam", "resolved", now=berlin + timedelta(minutes=15))

    for moment in (closed.created_at, closed.updated_at, closed.closed_at):
        assert moment is not None
        assert moment.utcoffset() == timedelta(0)
        assert moment.tzinfo == timezone.utc
    assert closed.created_at == berlin
    assert (closed.created_at.hour, closed.created_at.minute) == (12, 30)
    assert closed.closed_at == datetime(2026, 7, 7, 12, 45, tzinfo=timezone.utc)


def test_naive_times_are_taken_as_utc(store: TicketStore) -> None:
    ticket = store.open_ticket(new(), now=datetime(2026, 3, 10, 9, 15))
    assert ticket.created_at == datetime(2026, 3, 10, 9, 15, tzinfo=timezone.utc)


# --- several processes ---------------------------------------------------------------------------------------


def test_two_stores_on_the_same_file_see_each_others_writes(url: str, store: TicketStore) -> None:
    console = TicketStore(url)
    try:
        opened = store.open_ticket(new("conv-1", "high"), now=NOW)
        assert [ticket.id for ticket in console.queue()] == [opened.id]
        assert console.open_ticket(new("conv-1"), now=NOW) == opened  # no duplicate across stores

        console.claim(opened.id, "sam", now=NOW + timedelta(minutes=1))
        assert store.get(opened.id).assigned_agent == "sam"

        store.close_ticket(opened.id, "sam", "resolved", outcome="done", now=NOW + timedelta(minutes=2))
        seen = console.get(opened.id)
        assert (seen.status, seen.outcome) == ("resolved", "done")
        assert console.queue() == []
    finally:
        console.close_connections()


def test_the_store_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "not" / "there" / "care.db"
    ticket_store = TicketStore(f"sqlite:///{path}")
    try:
        ticket_store.open_ticket(new(), now=NOW)
    finally:
        ticket_store.close_connections()
    assert path.is_file()


def test_an_in_memory_store_works_across_threads() -> None:
    import threading

    ticket_store = TicketStore("sqlite://")
    results = []
    try:
        opened = ticket_store.open_ticket(new(), now=NOW)
        thread = threading.Thread(target=lambda: results.append(ticket_store.queue()))
        thread.start()
        thread.join(timeout=5)
    finally:
        ticket_store.close_connections()
    assert [[ticket.id for ticket in queue] for queue in results] == [[opened.id]]


# --- issue 14: no card numbers or other personal data in what the store keeps --------------------------------


def test_ticket_summary_masks_card_numbers(store: TicketStore, url: str) -> None:
    typed = "Asked for a person: can I talk to a person, my card 4111 1111 1111 1111 was charged twice"

    ticket = store.open_ticket(new(summary=typed), now=NOW)

    assert "4111" not in ticket.summary and "1111 1111" not in ticket.summary
    assert ticket.summary.startswith("Asked for a person: can I talk to a person, my card ")
    assert ticket.summary.endswith(" was charged twice")
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        stored = " ".join(str(value) for value in connection.execute(text("SELECT * FROM tickets")).one())
    engine.dispose()
    assert "4111" not in stored  # not in the database either


def test_customer_text_in_a_ticket_is_masked_before_it_is_stored(store: TicketStore) -> None:
    ticket = store.open_ticket(
        new(
            summary="call me on +44 7700 900123 or mail ann@example.com",
            customer_name="Ann 4111111111111111",
            customer_email="ann@example.com",
        ),
        now=NOW,
    )
    closed = store.close_ticket(
        ticket.id, "alice", TicketStatus.RESOLVED.value, outcome="Refunded to card 4111-1111-1111-1111", now=NOW
    )

    assert "7700" not in ticket.summary and "ann@example.com" not in ticket.summary
    assert "4111" not in (ticket.customer_name or "")
    assert ticket.customer_email == "ann@example.com"  # the address the customer gave for the reply stays usable
    assert "4111" not in (closed.outcome or "")
