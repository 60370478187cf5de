"""The HTML pages: the queue, one ticket, the frequent-issues report. Data reaches the templates only as
values (autoescaped there); the pages' scripts poll the JSON API to stay current."""

import asyncio
from typing import Dict, List, Optional

from sanic import HTTPResponse, Request

from console.chart import category_chart
from console.context import Console, console_of
from console.desk import can_act
from console.present import PERIOD_CHOICES, detail_json, parse_days, report_json, tickets_json
from console.rasa_api import RasaUnavailable, TranscriptLine
from console.web import render
from customer_care.database import utc_now


async def agent_names(console: Console) -> Dict[str, str]:
    agents = await asyncio.to_thread(console.agents.all)
    return {agent.username: agent.display_name for agent in agents}


async def queue_page(request: Request) -> HTTPResponse:
    console = console_of(request)
    queue = await asyncio.to_thread(console.tickets.queue)
    tickets = tickets_json(queue, await agent_names(console), utc_now())
    return render(request, "queue.html", page="queue", tickets=tickets)


async def ticket_page(request: Request, ticket_id: int) -> HTTPResponse:
    return await render_ticket(request, ticket_id)


async def render_ticket(
    request: Request, ticket_id: int, status: int = 200, error: Optional[str] = None
) -> HTTPResponse:
    """The ticket page; a failed form post shows it again with `error` above the forms."""
    console = console_of(request)
    detail = detail_json(await console.desk.detail(ticket_id), await agent_names(console), utc_now())
    transcript: List[TranscriptLine] = []
    transcript_error = None
    try:
        transcript = await console.rasa.transcript(detail["ticket"]["conversation_id"])
    except RasaUnavailable as unavailable:
        transcript_error = str(unavailable)
    return render(
        request,
        "ticket.html",
        status=status,
        error=error,
        transcript=transcript,
        transcript_error=transcript_error,
        can_act=can_act(request.ctx.agent),
        **detail,
    )


async def issues_page(request: Request) -> HTTPResponse:
    days, note = parse_days(request.args.get("days"))
    # In a worker thread: the report reads the log and compares phrases, and the loop serves other agents meanwhile.
    report = await asyncio.to_thread(console_of(request).issues.frequency_report, days)
    return render(
        request,
        "issues.html",
        page="issues",
        report=report_json(report),
        chart=category_chart(report.categories),
        note=note,
        choices=PERIOD_CHOICES,
    )
