"""Everything a request handler needs, created once per app and kept on `app.ctx.console`."""

from dataclasses import dataclass

from jinja2 import Environment
from sanic import Request

from console.desk import TicketDesk
from console.rasa_api import RasaApi
from console.sessions import SessionStore
from console.settings import ConsoleSettings
from customer_care.agents import AgentDirectory
from customer_care.inbox import Inbox
from customer_care.issue_log import IssueLog
from customer_care.tickets import TicketStore


@dataclass
class Console:
    settings: ConsoleSettings
    tickets: TicketStore
    agents: AgentDirectory
    issues: IssueLog
    sessions: SessionStore
    rasa: RasaApi
    desk: TicketDesk
    templates: Environment
    inbox: Inbox


def console_of(request: Request) -> Console:
    return request.app.ctx.console
