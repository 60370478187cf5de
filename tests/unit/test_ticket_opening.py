"""Opening tickets (one open ticket per conversation, known priorities only) and the agents' queue, most urgent
and oldest first."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from customer_care.tickets import PRIORITIES, Priority, TicketStatus, TicketStore
from tests.unit.ticket_helpers import NOW, new

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
