"""Shared by the ticket store's tests (test_ticket_opening, test_ticket_claims, test_ticket_storage): a fixed
moment and new tickets to open."""

from datetime import datetime, timezone

from customer_care.tickets import NewTicket

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def new(conversation_id: str = "conv-1", priority: str = "normal", **fields: object) -> NewTicket:
    values = {"reason": "customer_asked", "summary": "Wants to talk to a person", **fields}
    return NewTicket(conversation_id=conversation_id, priority=priority, **values)  # type: ignore[arg-type]
