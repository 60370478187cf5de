"""Claiming and closing tickets: who may claim or close one, when, what a closed ticket records, and agents
claiming the same ticket at the same moment."""

import threading
from datetime import timedelta
from typing import List

import pytest

from customer_care.tickets import TicketError, TicketStore
from tests.unit.ticket_helpers import NOW, new

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
