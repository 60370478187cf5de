"""How tickets, issue-log entries and reports look to the console: plain dicts for JSON, short texts for people.

The JSON API and the server-rendered pages use the same dicts, so a page and its polling script show the
same thing.
"""

from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Tuple

from console.desk import TicketDetail
from customer_care.issue_log import IssueEntry, Report
from customer_care.tickets import Ticket


def label(value: Optional[str]) -> str:
    """ "late_delivery" -> "late delivery"; nothing -> "—"."""
    return value.replace("_", " ") if value else "—"


def when(iso_time: Optional[str]) -> str:
    """ "2026-03-10T14:05:09+00:00" -> "2026-03-10 14:05 UTC" (the console stores and shows UTC)."""
    return f"{iso_time[:16].replace('T', ' ')} UTC" if iso_time else "—"


def waiting_text(seconds: int) -> str:
    minutes = seconds // 60
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat(timespec="seconds") if moment else None


def ticket_json(ticket: Ticket, agent_names: Mapping[str, str], now: datetime) -> Dict[str, Any]:
    waited = ticket.waiting_seconds(now)
    assignee = ticket.assigned_agent
    return {
        "id": ticket.id,
        "url": f"/tickets/{ticket.id}",
        "conversation_id": ticket.conversation_id,
        "priority": ticket.priority,
        "reason": ticket.reason,
        "reason_label": label(ticket.reason),
        "category": ticket.category,
        "category_label": label(ticket.category),
        "summary": ticket.summary,
        "customer_name": ticket.customer_name,
        "customer_email": ticket.customer_email,
        "status": ticket.status,
        "status_label": label(ticket.status),
        "assigned_agent": assignee,
        "assigned_agent_name": agent_names.get(assignee, assignee) if assignee else None,
        "outcome": ticket.outcome,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "closed_at": iso(ticket.closed_at),
        "is_open": ticket.is_open,
        "waiting_seconds": waited,
        "waiting": waiting_text(waited),
    }


def issue_json(entry: IssueEntry) -> Dict[str, Any]:
    return {
        "id": entry.id,
        "created_at": iso(entry.created_at),
        "kind": entry.kind,
        "category": entry.category,
        "category_label": label(entry.category),
        "severity": list(entry.severity),
        "paraphrase": entry.paraphrase,
        "raw_text": entry.raw_text,
        "order_number": entry.order_number,
        "outcome": entry.outcome,
        "outcome_label": label(entry.outcome),
        "rating": entry.rating,
        "comment": entry.comment,
    }


def detail_json(detail: TicketDetail, agent_names: Mapping[str, str], now: datetime) -> Dict[str, Any]:
    return {
        "ticket": ticket_json(detail.ticket, agent_names, now),
        "history": [ticket_json(ticket, agent_names, now) for ticket in detail.history],
        "issues": [issue_json(entry) for entry in detail.issues],
    }


def report_json(report: Report) -> Dict[str, Any]:
    return {
        "days": report.days,
        "since": iso(report.since),
        "until": iso(report.until),
        "total": report.total,
        "previous_total": report.previous_total,
        "trend": report.trend,
        "categories": [
            {
                "category": trend.category,
                "count": trend.count,
                "previous_count": trend.previous_count,
                "change": trend.change,
                "trend": trend.trend,
            }
            for trend in report.categories
        ],
        "kinds": [{"kind": kind, "count": count} for kind, count in report.kinds],
        "phrases": [{"phrase": phrase, "count": count} for phrase, count in report.phrases],
    }


def tickets_json(tickets: List[Ticket], agent_names: Mapping[str, str], now: datetime) -> List[Dict[str, Any]]:
    return [ticket_json(ticket, agent_names, now) for ticket in tickets]


DEFAULT_DAYS = 7
MAX_DAYS = 365
PERIOD_CHOICES = (7, 30, 90)


def parse_days(text: Optional[str]) -> Tuple[int, Optional[str]]:
    """The report period from `?days=`; anything but a whole number from 1 to 365 gives 7 days and a note."""
    if text is None or text == "":
        return DEFAULT_DAYS, None
    try:
        days = int(text.strip())
    except ValueError:
        days = 0
    if 1 <= days <= MAX_DAYS:
        return days, None
    shown = text if len(text) <= 20 else text[:20] + "…"
    return DEFAULT_DAYS, (
        f"“{shown}” is not a number of days from 1 to {MAX_DAYS}; showing the last {DEFAULT_DAYS} days."
    )
