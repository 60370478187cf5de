"""The JSON API under /api. The ticket actions also take the ticket page's plain HTML forms (form-encoded,
answered with a redirect back to the page), so the console works without JavaScript too."""

import asyncio
from typing import Awaitable, Callable

from sanic import HTTPResponse, Request
from sanic import response as responses

from console.auth import require_role
from console.context import console_of
from console.desk import can_act
from console.errors import EXPECTED_ERRORS, status_for
from console.pages import agent_names, render_ticket
from console.present import detail_json, parse_days, report_json, ticket_json, tickets_json
from console.web import error_page, is_form, payload
from customer_care.agents import Agent, Role
from customer_care.database import utc_now
from customer_care.tickets import Ticket

Action = Callable[[Request, int], Awaitable[Ticket]]


async def me(request: Request) -> HTTPResponse:
    agent: Agent = request.ctx.agent
    return responses.json(
        {
            "username": agent.username,
            "display_name": agent.display_name,
            "role": agent.role.value,
            "can_act": can_act(agent),
        }
    )


async def tickets(request: Request) -> HTTPResponse:
    console = console_of(request)
    now = utc_now()
    queue = await asyncio.to_thread(console.tickets.queue)
    return responses.json(
        {
            "tickets": tickets_json(queue, await agent_names(console), now),
            "generated_at": now.isoformat(timespec="seconds"),
        }
    )


async def ticket(request: Request, ticket_id: int) -> HTTPResponse:
    console = console_of(request)
    return responses.json(detail_json(await console.desk.detail(ticket_id), await agent_names(console), utc_now()))


async def transcript(request: Request, ticket_id: int) -> HTTPResponse:
    console = console_of(request)
    found = await console.desk.find(ticket_id)
    return responses.json({"lines": await console.rasa.transcript(found.conversation_id)})


async def issues(request: Request) -> HTTPResponse:
    days, note = parse_days(request.args.get("days"))
    # In a worker thread: the report reads the log and compares phrases, and the loop serves other agents meanwhile.
    report = await asyncio.to_thread(console_of(request).issues.frequency_report, days)
    return responses.json({**report_json(report), "note": note})


def ticket_action(action: Action) -> Callable[[Request, int], Awaitable[HTTPResponse]]:
    """The handler of a ticket action: its refusals (a role included) are shown on the ticket page to a form,
    as JSON to a script."""

    async def handler(request: Request, ticket_id: int) -> HTTPResponse:
        console = console_of(request)
        try:
            changed = await action(request, ticket_id)
        except EXPECTED_ERRORS as error:
            status = status_for(error)
            if is_form(request) and status != 404:
                return await render_ticket(request, ticket_id, status=status, error=str(error))
            return error_page(request, status, str(error))
        if is_form(request):
            return responses.redirect(f"/tickets/{ticket_id}", status=303)
        return responses.json({"ticket": ticket_json(changed, await agent_names(console), utc_now())})

    return handler


@require_role(Role.AGENT, "Only agents may claim tickets; your role is {role}.")
async def claim(request: Request, ticket_id: int) -> Ticket:
    return await console_of(request).desk.claim(ticket_id, request.ctx.agent)


@require_role(Role.AGENT, "Only agents may reply to customers; your role is {role}.")
async def reply(request: Request, ticket_id: int) -> Ticket:
    return await console_of(request).desk.reply(ticket_id, request.ctx.agent, payload(request).get("text"))


@require_role(Role.AGENT, "Only agents may hand conversations back; your role is {role}.")
async def hand_back(request: Request, ticket_id: int) -> Ticket:
    return await console_of(request).desk.hand_back(ticket_id, request.ctx.agent)


@require_role(Role.AGENT, "Only agents may resolve tickets; your role is {role}.")
async def resolve(request: Request, ticket_id: int) -> Ticket:
    return await console_of(request).desk.resolve(ticket_id, request.ctx.agent, payload(request).get("outcome"))
