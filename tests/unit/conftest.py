import asyncio
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from customer_care.agents import AgentDirectory
from customer_care.identity import VerifiedCustomer
from customer_care.issue_log import IssueLog
from customer_care.order_access import OrderLookups
from customer_care.orders import SQLiteOrderBackend
from customer_care.profile import StoreProfile, load_profile
from customer_care.sample_orders import sample_orders
from customer_care.tickets import TicketStore

TODAY = date(2026, 3, 10)  # a Tuesday


@pytest.fixture
def profile() -> StoreProfile:
    return load_profile()


@pytest.fixture
def backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SQLiteOrderBackend:
    """A fresh seeded order database that the actions use instead of var/orders.db."""
    orders = SQLiteOrderBackend(tmp_path / "orders.db", seed=lambda: sample_orders(TODAY))
    monkeypatch.setattr("actions.orders.order_backend", lambda: orders)
    return orders


@pytest.fixture(autouse=True)
def lookups(monkeypatch: pytest.MonkeyPatch) -> OrderLookups:
    """Fresh order look-up limits for each test."""
    limits = OrderLookups()
    monkeypatch.setattr("actions.orders.order_lookups", lambda: limits)
    return limits


@pytest.fixture(autouse=True)
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> IssueLog:
    """A fresh issue log that the actions write to instead of var/care.db."""
    issues = IssueLog(f"sqlite:///{tmp_path / 'care.db'}")
    for module in ("actions.conversation", "actions.complaints", "actions.handoff"):
        monkeypatch.setattr(f"{module}.issue_log", lambda: issues)
    return issues


@pytest.fixture(autouse=True)
def tickets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TicketStore:
    """A fresh ticket store, and no webhook, for the hand-over actions."""
    store = TicketStore(f"sqlite:///{tmp_path / 'care.db'}")
    monkeypatch.setattr("actions.handoff.ticket_store", lambda: store)
    monkeypatch.setattr("actions.handoff.ticket_webhook", lambda: None)
    return store


@pytest.fixture(autouse=True)
def agents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AgentDirectory:
    """A fresh agent directory: nobody is online unless a test says so."""
    directory = AgentDirectory(f"sqlite:///{tmp_path / 'care.db'}")
    monkeypatch.setattr("actions.handoff.agent_directory", lambda: directory)
    return directory


def make_tracker(
    text: str = "",
    intent: Optional[str] = None,
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    active_loop: Optional[str] = None,
    customer: Optional[VerifiedCustomer] = None,
    metadata: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A tracker whose latest message is `text`; `customer` signs it in (the metadata a channel adds after
    verifying the shop's token)."""
    metadata = dict(metadata or {})
    if customer is not None:
        metadata["customer"] = customer.as_metadata()
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "metadata": metadata,
    }
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message=latest,
        events=events if events is not None else [{"event": "user", "text": text, "parse_data": latest}],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(action, tracker: Tracker) -> Tuple[List[str], Any]:
    """Runs an action as the action server would: the texts it sends and the events it returns."""
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker, {})
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return [message["text"] for message in dispatcher.messages], result


def active_loops(events: List[Dict[str, Any]]) -> List[Optional[str]]:
    return [event["name"] for event in events if event["event"] == "active_loop"]


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def run_form_validation(action, tracker: Tracker) -> Tuple[List[str], Dict[str, Any]]:
    """Runs a FormValidationAction's whole `run`, as Rasa calls it inside a form turn, with the real domain: the
    texts it sends and the slots it returns (extraction and validation together)."""
    from rasa.shared.core.domain import Domain

    from tests.unit.domain_responses import as_reply, rendered

    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml")).as_dict()
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return [
        rendered(as_reply(message), tracker.slots) if message.get("response") else message["text"]
        for message in dispatcher.messages
    ], slot_events(events)
