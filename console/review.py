"""Reviewing what customers really wrote: the inbox of flagged messages, labelling, export, and the agents'
"bot misunderstood" mark on a transcript line.

Trainers (role "trainer") review and label; agents mark misunderstood messages from a ticket's transcript.
The inbox reads Rasa's event stream (the SQL event broker) on each request, so the page is always current; it
and the export read and write databases and files, so they run in worker threads, off the event loop.
"""

import asyncio
from datetime import datetime, timedelta, timezone
from functools import lru_cache, partial
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlencode

from sanic import HTTPResponse, Request
from sanic import response as responses

from addons.nlu_export import DomainFile, ExportError, ExportResult, export_examples
from console.auth import require_role
from console.context import Console, console_of
from console.errors import InvalidInput
from console.web import is_form, payload, render
from customer_care.agents import Role
from customer_care.answers import answer_response
from customer_care.inbox import FLAGS, LABEL_KINDS, InboxError, MessageGroup
from customer_care.settings import PROJECT_ROOT

TRAINERS_ONLY = "Only trainers review and label messages; ask for an account with the trainer role."
DOMAIN = PROJECT_ROOT / "domain.yml"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
EXPORT_FILE = NLU_DIR / "from_conversations.yml"
MAX_KEYS = 500


@lru_cache(maxsize=1)
def domain_intents() -> Tuple[str, ...]:
    return tuple(sorted(DomainFile(DOMAIN).intents()))


def _date(text: Optional[str], name: str, end_of_day: bool = False) -> Optional[datetime]:
    if not text:
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a date like 2026-11-23.") from None
    return day + timedelta(days=1) if end_of_day else day


def _filters(request: Request) -> Dict[str, Any]:
    flag = (request.args.get("flag") or "").strip() or None
    if flag is not None and flag not in FLAGS:
        raise InvalidInput(f"Unknown flag '{flag}'; one of {', '.join(FLAGS)}.")
    intent = (request.args.get("intent") or "").strip() or None
    return {
        "flag": flag,
        "intent": intent,
        "since": _date(request.args.get("since"), "since"),
        "until": _date(request.args.get("until"), "until", end_of_day=True),
        "include_labelled": request.args.get("labelled") == "1",
        "flagged_only": request.args.get("all") != "1",
    }


def group_json(group: MessageGroup) -> Dict[str, Any]:
    label = group.label
    return {
        "key": group.key,
        "text": group.text,
        "count": group.count,
        "predicted_intent": group.predicted_intent,
        "min_confidence": group.min_confidence,
        "flags": sorted(group.flags),
        "customer_choices": dict(sorted(group.customer_choices.items(), key=lambda item: -item[1])),
        "last_seen": group.last_seen.isoformat(timespec="seconds"),
        "conversations": sorted({message.conversation_id for message in group.messages})[:5],
        "label": None
        if label is None
        else {"kind": label.kind, "intent": label.intent, "entities": label.entities, "reviewer": label.reviewer},
    }


def _synced_groups(console: Console, filters: Dict[str, Any]) -> List[MessageGroup]:
    console.inbox.sync()
    return console.inbox.groups(**filters)


async def _groups(console: Console, request: Request) -> List[MessageGroup]:
    return await asyncio.to_thread(_synced_groups, console, _filters(request))


@require_role(Role.TRAINER, TRAINERS_ONLY)
async def review_page(request: Request) -> HTTPResponse:
    groups = await _groups(console_of(request), request)
    filters = {key: request.args.get(key) or "" for key in ("flag", "intent", "since", "until", "labelled", "all")}
    return render(
        request,
        "review.html",
        page="review",
        groups=[group_json(g) for g in groups],
        intents=await asyncio.to_thread(domain_intents),
        flags=FLAGS,
        filters=filters,
        notice=request.args.get("notice") or "",
    )


@require_role(Role.TRAINER, TRAINERS_ONLY)
async def api_groups(request: Request) -> HTTPResponse:
    groups = await _groups(console_of(request), request)
    intents = await asyncio.to_thread(domain_intents)
    return responses.json(
        {"groups": [group_json(group) for group in groups], "intents": list(intents), "flags": list(FLAGS)}
    )


def _keys(body: Any) -> List[str]:
    keys = body.get("keys")
    if isinstance(keys, str):  # a form posts one key per row, or a comma-free single key
        keys = [keys]
    if not isinstance(keys, list) or not keys or not all(isinstance(key, str) for key in keys):
        raise InvalidInput("Choose at least one message group ('keys': a list of group keys).")
    if len(keys) > MAX_KEYS:
        raise InvalidInput(f"At most {MAX_KEYS} groups at once.")
    return keys


def _form_keys(request: Request) -> Dict[str, Any]:
    """A form posts several `keys` fields; `payload` keeps only the first of each name."""
    body = dict(payload(request))
    if is_form(request):
        body["keys"] = request.form.getlist("keys")
    return body


def _back(request: Request, notice: str) -> HTTPResponse:
    """Back to the review page with the same filters (a form keeps them in its query string)."""
    filters = {key: request.args.get(key) for key in request.args if key != "notice"}
    return responses.redirect("/review?" + urlencode({"notice": notice, **filters}), status=303)


@require_role(Role.TRAINER, TRAINERS_ONLY)
async def api_label(request: Request) -> HTTPResponse:
    body = _form_keys(request)
    kind = body.get("kind")
    if kind not in LABEL_KINDS:
        raise InvalidInput(f"'kind' must be one of {', '.join(LABEL_KINDS)}.")
    intent = (body.get("intent") or body.get("new_intent") or "").strip() or None
    if kind == "intent" and intent and intent not in await asyncio.to_thread(domain_intents):
        kind = "new_intent"
    entities = body.get("entities") if isinstance(body.get("entities"), list) else None
    inbox, keys = console_of(request).inbox, _keys(body)
    label = partial(inbox.label, keys, kind, request.ctx.agent.username, intent=intent, entities=entities)
    return await _change_groups(request, label, "labelled")


@require_role(Role.TRAINER, TRAINERS_ONLY)
async def api_unlabel(request: Request) -> HTTPResponse:
    keys = _keys(_form_keys(request))
    return await _change_groups(request, partial(console_of(request).inbox.unlabel, keys), "unlabelled")


async def _change_groups(request: Request, change: Callable[[], int], done: str) -> HTTPResponse:
    """Runs `change`, an inbox update of message groups, off the event loop; tells a form (on the review page) or
    a script (as JSON) how many groups were `done`."""
    try:
        count = await asyncio.to_thread(change)
    except InboxError as error:
        raise InvalidInput(str(error)) from None
    if is_form(request):
        return _back(request, f"{done.capitalize()} {count} group(s).")
    return responses.json({done: count})


@require_role(Role.TRAINER, TRAINERS_ONLY)
async def api_export(request: Request) -> HTTPResponse:
    try:
        result = await asyncio.to_thread(_export, console_of(request))
    except ExportError as error:
        raise InvalidInput(f"Nothing exported: {error}") from None
    summary = {
        "path": str(result.path.relative_to(PROJECT_ROOT)),
        "written": result.written,
        "skipped_existing": result.skipped_existing,
        "new_intents": result.new_intents,
    }
    if is_form(request):
        return _back(request, _export_notice(summary))
    return responses.json(summary)


def _export(console: Console) -> ExportResult:
    console.inbox.sync()
    result = export_examples(console.inbox.approved_examples(), NLU_DIR, DOMAIN, EXPORT_FILE)
    domain_intents.cache_clear()  # the export may have added intents to the domain
    return result


def _export_notice(summary: Dict[str, Any]) -> str:
    notice = (
        f"Exported {summary['written']} example(s) to {summary['path']} "
        f"({summary['skipped_existing']} already in the training data)."
    )
    for intent in summary["new_intents"]:
        notice += (
            f" New intent {intent}: added to domain.yml with the placeholder answer "
            f"{answer_response(intent)}; write the real answer, and add the intent to the shop questions in "
            f"data/rules/shop_questions.yml (docs/adding_a_shop_question.md)."
        )
    return notice + " Then run make retrain."


@require_role(Role.AGENT, "Only agents mark what the bot misunderstood; your role is {role}.")
async def api_misunderstood(request: Request, ticket_id: int) -> HTTPResponse:
    """An agent marks a customer line of a ticket's transcript: the bot got it wrong."""
    console = console_of(request)
    ticket = await console.desk.find(ticket_id)
    body = payload(request)
    text, sent = body.get("text"), body.get("time")
    if not isinstance(text, str) or not text.strip() or not isinstance(sent, str):
        raise InvalidInput("Say which message: 'text' and 'time' (ISO date and time) of the customer's line.")
    try:
        sent_at = datetime.fromisoformat(sent.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("'time' must be an ISO date and time, e.g. 2026-11-23T14:05:00+00:00.") from None
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=timezone.utc)
    matched = await asyncio.to_thread(
        _mark_misunderstood, console, ticket.conversation_id, text, sent_at, request.ctx.agent.username
    )
    if is_form(request):
        return responses.redirect(f"/tickets/{ticket_id}", status=303)
    return responses.json({"marked": True, "matched_now": matched})


def _mark_misunderstood(console: Console, conversation_id: str, text: str, sent_at: datetime, username: str) -> bool:
    console.inbox.sync()
    return console.inbox.mark_misunderstood(conversation_id, text, sent_at, username)
