"""The ticket store: conversations handed to people, with who holds them and how they ended.

One SQL table (`tickets`) in the assistant's own database (`settings.database_url()`, shared with the issue
log), through SQLAlchemy Core. A conversation has at most one open ticket: opening another while one is
waiting or claimed returns the open one.

Free text is masked before it is stored (`masking.mask_personal_data`: card numbers, e-mail addresses, phone
numbers): the summary, which quotes the customer ("my card 4111 ... was charged twice"), the name they typed,
and the agent's outcome note. The customer's e-mail address field is kept: it is where the team replies.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, List, Mapping, Optional

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, or_, select, update

from customer_care.database import (
    engine_for,
    from_optional_stored_time,
    from_row,
    from_stored_time,
    to_stored_time,
    utc_now,
)
from customer_care.masking import mask_personal_data
from customer_care.settings import database_url


class TicketStatus(str, Enum):
    WAITING = "waiting"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    HANDED_BACK = "handed_back"


OPEN_STATUSES = (TicketStatus.WAITING.value, TicketStatus.CLAIMED.value)
CLOSING_STATUSES = (TicketStatus.RESOLVED.value, TicketStatus.HANDED_BACK.value)


class Priority(str, Enum):
    """How soon a ticket needs a person, most urgent first: the queue sorts by this rank, then by waiting time."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


PRIORITIES = tuple(priority.value for priority in Priority)


def priority_rank(priority: str) -> int:
    return PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES)


metadata = MetaData()

tickets_table = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("customer_name", String(200), nullable=True),
    Column("customer_email", String(320), nullable=True, index=True),
    Column("reason", String(50), nullable=False),
    Column("category", String(50), nullable=True),
    Column("priority", String(10), nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False, index=True),
    Column("assigned_agent", String(100), nullable=True),
    Column("outcome", Text, nullable=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    Column("closed_at", DateTime(timezone=False), nullable=True),
)


@dataclass(frozen=True)
class NewTicket:
    conversation_id: str
    reason: str  # the escalation trigger, e.g. "customer_asked"
    priority: str  # a Priority value
    summary: str = ""  # the confirmed paraphrase when there is one
    category: Optional[str] = None
    customer_name: Optional[str] = None
    customer_email: Optional[str] = None


@dataclass(frozen=True)
class Ticket:
    id: int
    conversation_id: str
    reason: str
    priority: str
    summary: str
    category: Optional[str]
    customer_name: Optional[str]
    customer_email: Optional[str]
    status: str
    assigned_agent: Optional[str]
    outcome: Optional[str]
    created_at: datetime
    updated_at: datetime
    closed_at: Optional[datetime]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def waiting_seconds(self, now: Optional[datetime] = None) -> int:
        return max(0, int(((now or utc_now()) - self.created_at).total_seconds()))


class TicketError(Exception):
    """A ticket can't change that way (unknown, already closed, claimed by someone else)."""


class TicketStore:
    def __init__(self, url: Optional[str] = None) -> None:
        self.engine = engine_for(url or database_url())
        metadata.create_all(self.engine, checkfirst=True)

    def close_connections(self) -> None:
        self.engine.dispose()

    def open_ticket(self, new: NewTicket, now: Optional[datetime] = None) -> Ticket:
        if new.priority not in PRIORITIES:
            raise ValueError(f"unknown priority {new.priority!r}; one of {', '.join(PRIORITIES)}")
        priority = Priority(new.priority).value  # the plain string, whatever the caller passed
        existing = self.open_for_conversation(new.conversation_id)
        if existing:
            return existing
        stamp = to_stored_time(now or utc_now())
        with self.engine.begin() as connection:
            result = connection.execute(
                tickets_table.insert().values(
                    conversation_id=new.conversation_id,
                    customer_name=_masked(new.customer_name),
                    customer_email=new.customer_email,
                    reason=new.reason,
                    category=new.category,
                    priority=priority,
                    summary=mask_personal_data(new.summary or ""),
                    status=TicketStatus.WAITING.value,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
            ticket_id = int(result.inserted_primary_key[0])
        return self.get(ticket_id)

    def get(self, ticket_id: int) -> Ticket:
        with self.engine.connect() as connection:
            row = connection.execute(select(tickets_table).where(tickets_table.c.id == ticket_id)).mappings().first()
        if row is None:
            raise TicketError(f"There is no ticket {ticket_id}.")
        return _ticket(row)

    def open_for_conversation(self, conversation_id: str) -> Optional[Ticket]:
        statement = (
            select(tickets_table)
            .where(tickets_table.c.conversation_id == conversation_id, tickets_table.c.status.in_(OPEN_STATUSES))
            .order_by(tickets_table.c.id.desc())
        )
        with self.engine.connect() as connection:
            row = connection.execute(statement).mappings().first()
        return _ticket(row) if row else None

    def queue(self, now: Optional[datetime] = None) -> List[Ticket]:
        """Open tickets, most urgent first, then longest waiting first."""
        with self.engine.connect() as connection:
            rows = (
                connection.execute(select(tickets_table).where(tickets_table.c.status.in_(OPEN_STATUSES)))
                .mappings()
                .all()
            )
        return sorted((_ticket(row) for row in rows), key=lambda t: (priority_rank(t.priority), t.created_at, t.id))

    def customer_history(self, ticket: Ticket) -> List[Ticket]:
        """The customer's other tickets (same conversation or same e-mail address), newest first."""
        same_customer = [tickets_table.c.conversation_id == ticket.conversation_id]
        if ticket.customer_email:
            same_customer.append(tickets_table.c.customer_email == ticket.customer_email)
        statement = (
            select(tickets_table)
            .where(or_(*same_customer), tickets_table.c.id != ticket.id)
            .order_by(tickets_table.c.id.desc())
        )
        with self.engine.connect() as connection:
            return [_ticket(row) for row in connection.execute(statement).mappings()]

    def claim(self, ticket_id: int, agent: str, now: Optional[datetime] = None) -> Ticket:
        self._change_if_free(
            ticket_id, agent, "already claimed by", now, status=TicketStatus.CLAIMED.value, assigned_agent=agent
        )
        return self.get(ticket_id)

    def close_ticket(
        self, ticket_id: int, agent: str, status: str, outcome: str = "", now: Optional[datetime] = None
    ) -> Ticket:
        """Resolve or hand back a ticket. Only the agent holding it may close a claimed ticket."""
        if status not in CLOSING_STATUSES:
            raise ValueError(f"a ticket closes as one of {', '.join(CLOSING_STATUSES)}, not {status!r}")
        stamp = now or utc_now()
        self._change_if_free(
            ticket_id,
            agent,
            "claimed by",
            stamp,
            status=status,
            assigned_agent=agent,
            outcome=_masked(outcome.strip() or None),
            closed_at=to_stored_time(stamp),
        )
        return self.get(ticket_id)

    def _change_if_free(self, ticket_id: int, agent: str, taken: str, now: Optional[datetime], **values: Any) -> None:
        """Update an open ticket that is unassigned or already this agent's. The condition is part of the
        UPDATE, so two agents (or two console processes) acting at once can't both succeed."""
        table = tickets_table
        values["updated_at"] = to_stored_time(now or utc_now())
        statement = (
            update(table)
            .values(**values)
            .where(
                table.c.id == ticket_id,
                table.c.status.in_(OPEN_STATUSES),
                or_(table.c.assigned_agent.is_(None), table.c.assigned_agent == agent),
            )
        )
        with self.engine.begin() as connection:
            changed = connection.execute(statement).rowcount
        if changed != 1:
            ticket = self.get(ticket_id)  # raises for an unknown ticket
            if not ticket.is_open:
                raise TicketError(f"Ticket {ticket_id} is already {ticket.status.replace('_', ' ')}.")
            raise TicketError(f"Ticket {ticket_id} is {taken} {ticket.assigned_agent}.")


def _masked(text: Optional[str]) -> Optional[str]:
    return mask_personal_data(text) if text else text


def _ticket(row: Mapping[str, Any]) -> Ticket:
    return from_row(
        Ticket,
        row,
        summary=lambda summary: summary or "",
        created_at=from_stored_time,
        updated_at=from_stored_time,
        closed_at=from_optional_stored_time,
    )
