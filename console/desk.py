"""What an agent does with a ticket: claim it, reply in the chat, hand it back to the bot, resolve it.

Each step changes the ticket store first and then tells Rasa, so a conversation is never given back to the
bot for a ticket the store refused to close. If Rasa then fails, the error says what did happen.
"""

from dataclasses import dataclass
from typing import Awaitable, List

from customer_care.agents import Agent
from customer_care.issue_log import IssueEntry, IssueKind, IssueLog
from customer_care.tickets import Ticket, TicketError, TicketStatus, TicketStore

from console.errors import InvalidInput, NotAllowed, UnknownTicket
from console.rasa_api import RasaApi, RasaUnavailable

MAX_TEXT_LENGTH = 2000
ACTING_ROLE = "agent"  # trainers read the console but do not talk to customers


@dataclass(frozen=True)
class TicketDetail:
    ticket: Ticket
    history: List[Ticket]  # the customer's other tickets, newest first
    issues: List[IssueEntry]  # what the issue log holds about this conversation, oldest first


def can_act(agent: Agent) -> bool:
    return agent.role == ACTING_ROLE


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

    def find(self, ticket_id: int) -> Ticket:
        try:
            return self.tickets.get(ticket_id)
        except TicketError:
            raise UnknownTicket(f"There is no ticket {ticket_id}.") from None

    def detail(self, ticket_id: int) -> TicketDetail:
        ticket = self.find(ticket_id)
        return TicketDetail(ticket=ticket, history=self.tickets.customer_history(ticket),
                            issues=self.issues.for_conversation(ticket.conversation_id))

    async def claim(self, ticket_id: int, agent: Agent) -> Ticket:
        self._check(ticket_id, agent, "claim tickets")
        return self.tickets.claim(ticket_id, agent.username)

    async def reply(self, ticket_id: int, agent: Agent, text: object) -> Ticket:
        """Send `text` to the customer as `agent`; the first reply claims a waiting ticket."""
        ticket = self._check(ticket_id, agent, "reply to customers")
        message = clean_text(text, "reply")
        ticket = self.tickets.claim(ticket.id, agent.username)  # refuses closed tickets and other agents' ones
        await self.rasa.send_agent_message(ticket.conversation_id, agent.display_name, message)
        return ticket

    async def hand_back(self, ticket_id: int, agent: Agent) -> Ticket:
        self._check(ticket_id, agent, "hand conversations back")
        ticket = self.tickets.close(ticket_id, agent.username, TicketStatus.HANDED_BACK.value)
        await self._tell_bot(self.rasa.hand_back(ticket.conversation_id), f"Ticket {ticket_id} is handed back")
        return ticket

    async def resolve(self, ticket_id: int, agent: Agent, outcome: object) -> Ticket:
        self._check(ticket_id, agent, "resolve tickets")
        note = clean_text(outcome, "outcome note")
        ticket = self.tickets.close(ticket_id, agent.username, TicketStatus.RESOLVED.value, note)
        self.issues.record(IssueEntry(
            conversation_id=ticket.conversation_id, kind=IssueKind.ESCALATION.value, category=ticket.category,
            paraphrase=ticket.summary, raw_text=note, outcome="resolved_by_agent",
        ))
        # The customer's next message is answered by the bot again.
        await self._tell_bot(self.rasa.resume(ticket.conversation_id), f"Ticket {ticket_id} is resolved")
        return ticket

    @staticmethod
    async def _tell_bot(request: Awaitable[object], done: str) -> None:
        """Await a request to Rasa made after the ticket was closed; if Rasa is down, say what did happen."""
        try:
            await request
        except RasaUnavailable as error:
            raise RasaUnavailable(f"{done}, but the bot could not be told, so it stays silent in this chat: "
                                  f"{error}") from error

    def _check(self, ticket_id: int, agent: Agent, action: str) -> Ticket:
        if not can_act(agent):
            raise NotAllowed(f"Only agents may {action}; your role is {agent.role}.")
        return self.find(ticket_id)
