"""What an agent does with a ticket: claim it, reply in the chat, hand it back to the bot, resolve it.

Each step changes the ticket store first and then tells Rasa, so a conversation is never given back to the
bot for a ticket the store refused to close. If Rasa then fails, the error says what did happen. The stores are
databases, so they are read and written in worker threads, never on the event loop. Who may take each step is
the handlers' business (`console.auth.require_role`); the desk does what it is asked.
"""

import asyncio
from dataclasses import dataclass
from typing import Awaitable, List

from console.errors import InvalidInput, UnknownTicket
from console.rasa_api import RasaApi, RasaUnavailable
from customer_care.agents import Agent, Role
from customer_care.issue_log import IssueEntry, IssueKind, IssueLog, IssueOutcome
from customer_care.tickets import Ticket, TicketError, TicketStatus, TicketStore

MAX_TEXT_LENGTH = 2000


@dataclass(frozen=True)
class TicketDetail:
    ticket: Ticket
    history: List[Ticket]  # the customer's other tickets, newest first
    issues: List[IssueEntry]  # what the issue log holds about this conversation, oldest first


def can_act(agent: Agent) -> bool:
    """Whether the agent takes part in conversations: trainers read the console but do not talk to customers."""
    return agent.role == Role.AGENT


def clean_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    text = value.strip()
    if not text:
        raise InvalidInput(f"The {what} is empty.")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput(f"The {what} has {len(text)} characters; at most {MAX_TEXT_LENGTH} fit.")
    return text


class TicketDesk:
    def __init__(self, tickets: TicketStore, issues: IssueLog, rasa: RasaApi) -> None:
        self.tickets = tickets
        self.issues = issues
        self.rasa = rasa

    async def find(self, ticket_id: int) -> Ticket:
        return await asyncio.to_thread(self._find, ticket_id)

    async def detail(self, ticket_id: int) -> TicketDetail:
        return await asyncio.to_thread(self._detail, ticket_id)

    async def claim(self, ticket_id: int, agent: Agent) -> Ticket:
        await self.find(ticket_id)
        return await asyncio.to_thread(self.tickets.claim, ticket_id, agent.username)

    async def reply(self, ticket_id: int, agent: Agent, text: object) -> Ticket:
        """Send `text` to the customer as `agent`; the first reply claims a waiting ticket."""
        ticket = await self.find(ticket_id)
        message = clean_text(text, "reply")
        # The claim refuses closed tickets and other agents' ones.
        ticket = await asyncio.to_thread(self.tickets.claim, ticket.id, agent.username)
        await self.rasa.send_agent_message(ticket.conversation_id, agent.display_name, message)
        return ticket

    async def hand_back(self, ticket_id: int, agent: Agent) -> Ticket:
        await self.find(ticket_id)
        ticket = await asyncio.to_thread(
            self.tickets.close_ticket, ticket_id, agent.username, TicketStatus.HANDED_BACK.value
        )
        await self._tell_bot(self.rasa.hand_back(ticket.conversation_id), f"Ticket {ticket_id} is handed back")
        return ticket

    async def resolve(self, ticket_id: int, agent: Agent, outcome: object) -> Ticket:
        await self.find(ticket_id)
        note = clean_text(outcome, "outcome note")
        ticket = await asyncio.to_thread(self._resolve, ticket_id, agent.username, note)
        # The customer's next message is answered by the bot again.
        await self._tell_bot(self.rasa.resume(ticket.conversation_id), f"Ticket {ticket_id} is resolved")
        return ticket

    def _find(self, ticket_id: int) -> Ticket:
        try:
            return self.tickets.get(ticket_id)
        except TicketError:
            raise UnknownTicket(f"There is no ticket {ticket_id}.") from None

    def _detail(self, ticket_id: int) -> TicketDetail:
        ticket = self._find(ticket_id)
        return TicketDetail(
            ticket=ticket,
            history=self.tickets.customer_history(ticket),
            issues=self.issues.for_conversation(ticket.conversation_id),
        )

    def _resolve(self, ticket_id: int, username: str, note: str) -> Ticket:
        ticket = self.tickets.close_ticket(ticket_id, username, TicketStatus.RESOLVED.value, note)
        self.issues.record(
            IssueEntry(
                conversation_id=ticket.conversation_id,
                kind=IssueKind.ESCALATION.value,
                category=ticket.category,
                paraphrase=ticket.summary,
                raw_text=note,
                outcome=IssueOutcome.RESOLVED_BY_AGENT,
            )
        )
        return ticket

    @staticmethod
    async def _tell_bot(request: Awaitable[object], done: str) -> None:
        """Await a request to Rasa made after the ticket was closed; if Rasa is down, say what did happen."""
        try:
            await request
        except RasaUnavailable as error:
            raise RasaUnavailable(
                f"{done}, but the bot could not be told, so it stays silent in this chat: {error}"
            ) from error
