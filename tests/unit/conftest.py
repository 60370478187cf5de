import asyncio
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple

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
from tests.unit.agent_helpers import CHEAP_HASHER
from tests.unit.webhook_helpers import SECRET, Receiver

if TYPE_CHECKING:
    from test_console_support import ConsoleUnderTest

    from customer_care.inbox import Inbox
    from tests.unit.inbox_helpers import FakeBroker
    from tests.unit.retention_helpers import World

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


# Fixtures of the modules that were split from one file (each section names them). A fixture that imports what
# only its tests need (Sanic, Rasa, the inbox) does so inside, so that other tests don't load it.


# The agent directory (test_agent_accounts, test_agent_passwords, test_agent_presence) --------------------------


@pytest.fixture
def directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AgentDirectory:
    # Cheap argon2 for the directory tests (the cost is stored in each hash); the password tests keep the real one.
    monkeypatch.setattr("customer_care.agents.PASSWORD_HASHER", CHEAP_HASHER)
    return AgentDirectory(f"sqlite:///{tmp_path / 'care.db'}")


# Logging in to the console (test_console_gate, test_console_login, test_console_sessions) ----------------------


@pytest.fixture
def console(tmp_path: Path) -> Iterator["ConsoleUnderTest"]:
    """A running console with the agent alice and one waiting ticket (the other console tests set up their own)."""
    from test_console_support import running_console

    with running_console(tmp_path) as running:
        running.add_agent("alice", "Alice Agent")
        running.open_ticket()
        yield running


@pytest.fixture
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests that log in often; the cost parameters are stored in each hash, so cheap ones change nothing else.
    (A module asks for it with `pytestmark = pytest.mark.usefixtures("cheap_password_hashing")`.)"""
    monkeypatch.setattr("customer_care.agents.PASSWORD_HASHER", CHEAP_HASHER)


# The ticket store (test_ticket_opening, test_ticket_claims, test_ticket_storage) ------------------------------


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'care.db'}"


@pytest.fixture
def store(url: str) -> Iterator[TicketStore]:
    ticket_store = TicketStore(url)
    yield ticket_store
    ticket_store.close_connections()


# The ticket webhook (test_webhook_delivery, test_webhook_safety, test_webhook_settings) -------------------------
# Their modules use no_proxy_for_loopback and signing_secret for every test (pytestmark).


@pytest.fixture
def no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICKET_WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv("TICKET_WEBHOOK_SECRET_FILE", raising=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type"),
                        "body": body,
                        "headers": dict(self.headers),
                    }
                )
                status = state.statuses.pop(0) if state.statuses else 200
            state.arrived.set()
            if state.hold is not None:
                state.hold.wait(timeout=5)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/larkspur"
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# The inbox (test_inbox, test_inbox_flags, test_inbox_groups, test_inbox_labels) ------------------------------


@pytest.fixture
def broker(tmp_path: Path) -> Iterator["FakeBroker"]:
    from tests.unit.inbox_helpers import FakeBroker

    fake = FakeBroker(tmp_path / "events.db")
    yield fake
    fake.close()


@pytest.fixture
def inbox(tmp_path: Path, broker: "FakeBroker") -> Iterator["Inbox"]:
    from customer_care.inbox import Inbox

    opened = Inbox(events_url=f"sqlite:///{broker.path}", database_url=f"sqlite:///{tmp_path / 'care.db'}")
    yield opened
    opened.close()


@pytest.fixture
def synced(inbox: "Inbox", broker: "FakeBroker") -> "Inbox":
    from tests.unit.inbox_helpers import seed_conversations

    seed_conversations(broker)
    inbox.sync()
    return inbox


# Retention (test_retention_*.py) ------------------------------------------------------------------------------


@pytest.fixture
def world(tmp_path: Path) -> Iterator["World"]:
    from rasa.core.brokers.sql import SQLEventBroker

    from addons.tracker_store import LeanSQLTrackerStore
    from tests.unit.retention_helpers import DOMAIN, World, write_endpoints

    tracker_db, events_db = tmp_path / "var" / "tracker.db", tmp_path / "var" / "events.db"
    tracker_db.parent.mkdir()
    store = LeanSQLTrackerStore(domain=DOMAIN, db=str(tracker_db), event_broker=SQLEventBroker(db=str(events_db)))
    yield World(
        tmp_path,
        write_endpoints(tmp_path / "endpoints.yml", tracker_db, events_db),
        tracker_db,
        events_db,
        f"sqlite:///{tmp_path / 'var' / 'care.db'}",
        store,
    )
    store.engine.dispose()
    store.event_broker.engine.dispose()


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("CARE_DATABASE_URL", "CARE_EVENTS_URL", "CARE_VAR_DIR", "CARE_ENDPOINTS", "POSTGRESQL_SCHEMA"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# Bounded work per message (test_bounded_*.py), for every test of their modules (pytestmark) --------------------


@pytest.fixture(scope="module")
def warmed_up() -> None:
    """The complaint rules are built on first use (about a second): not part of any call's budget."""
    from customer_care.complaints import analyse_complaint

    analyse_complaint("my parcel arrived broken")
