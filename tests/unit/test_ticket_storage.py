"""Reading tickets back: lookups and a customer's history, times as aware UTC, several stores on one database
(or in memory across threads), and no card numbers or other personal data beyond what the reply needs (issue 14)."""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from customer_care.tickets import TicketError, TicketStatus, TicketStore
from tests.unit.ticket_helpers import NOW, new

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
