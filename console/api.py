"""The JSON API under /api. The ticket actions also take the ticket page's plain HTML forms (form-encoded,
answered with a redirect back to the page), so the console works without JavaScript too."""

from typing import Awaitable, Callable

from sanic import HTTPResponse, Request, Sanic
from sanic import response as responses

from customer_care.agents import Agent
from customer_care.database import utc_now
from customer_care.tickets import Ticket

from console.context import Console, console_of
from console.desk import can_act
from console.errors import EXPECTED_ERRORS, status_for
from console.pages import agent_names, render_ticket
from console.present import detail_json, parse_days, report_json, ticket_json, tickets_json
from console.web import error_page, is_form, payload

Action = Callable[[Console, int, Agent, Request], Awaitable[Ticket]]


async def me(request: Request) -> HTTPResponse:
    agent: Agent = request.ctx.agent
    return responses.json({"username": agent.username, "display_name": agent.display_name, "role": agent.role,
                           "can_act": can_act(agent)})


async def tickets(request: Request) -> HTTPResponse:
    console = console_of(request)
    now = utc_now()
    return responses.json({"tickets": tickets_json(console.tickets.queue(), agent_names(console), now),
                           "generated_at": now.isoformat(timespec="seconds")})


async def ticket(request: Request, ticket_id: int) -> HTTPResponse:
    console = console_of(request)
    return responses.json(detail_json(console.desk.detail(ticket_id), agent_names(console), utc_now()))


async def transcript(request: Request, ticket_id: int) -> HTTPResponse:
    console = console_of(request)
    found = console.desk.find(ticket_id)
    return responses.json({"lines": await console.rasa.transcript(found.conversation_id)})


async def issues(request: Request) -> HTTPResponse:
    import asyncio  # here, not at the top: this handler is the only part of the module that needs it

    days, note = parse_days(request.args.get("days"))
    # In a worker thread: the report reads the log and compares phrases, and the loop serves other agents meanwhile.
    report = await asyncio.to_thread(console_of(request).issues.frequency_report, days)
    return responses.json({**report_json(report), "note": note})


def _ticket_action(action: Action) -> Callable[[Request, int], Awaitable[HTTPResponse]]:
    async def handler(request: Request, ticket_id: int) -> HTTPResponse:
        console = console_of(request)
        try:
            changed = await action(console, ticket_id, request.ctx.agent, request)
        except EXPECTED_ERRORS as error:
            status = status_for(error)
            if is_form(request) and status != 404:
                return await render_ticket(request, ticket_id, status=status, error=str(error))
            return error_page(request, status, str(error))
        if is_form(request):
            return responses.redirect(f"/tickets/{ticket_id}", status=303)
        return responses.json({"ticket": ticket_json(changed, agent_names(console), utc_now())})

    return handler


async def _claim(console: Console, ticket_id: int, agent: Agent, request: Request) -> Ticket:
    return await console.desk.claim(ticket_id, agent)


async def _reply(console: Console, ticket_id: int, agent: Agent, request: Request) -> Ticket:
    return await console.desk.reply(ticket_id, agent, payload(request).get("text"))


async def _hand_back(console: Console, ticket_id: int, agent: Agent, request: Request) -> Ticket:
    return await console.desk.hand_back(ticket_id, agent)


async def _resolve(console: Console, ticket_id: int, agent: Agent, request: Request) -> Ticket:
    return await console.desk.resolve(ticket_id, agent, payload(request).get("outcome"))


def install(app: Sanic) -> None:
    app.add_route(me, "/api/me", methods=["GET"], name="api_me")
    app.add_route(tickets, "/api/tickets", methods=["GET"], name="api_tickets")
    app.add_route(ticket, "/api/tickets/<ticket_id:int>", methods=["GET"], name="api_ticket")
    app.add_route(transcript, "/api/tickets/<ticket_id:int>/transcript", methods=["GET"], name="api_transcript")
    app.add_route(issues, "/api/issues", methods=["GET"], name="api_issues")
    for path, action, name in (("claim", _claim, "api_claim"), ("reply", _reply, "api_reply"),
                               ("hand-back", _hand_back, "api_hand_back"), ("resolve", _resolve, "api_resolve")):
        app.add_route(_ticket_action(action), f"/api/tickets/<ticket_id:int>/{path}", methods=["POST"], name=name)
