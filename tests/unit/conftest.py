from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker

from customer_care.orders import SQLiteOrderBackend
from customer_care.profile import StoreProfile, load_profile
from customer_care.sample_orders import sample_orders

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


def make_tracker(
    text: str = "",
    intent: Optional[str] = None,
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    active_loop: Optional[str] = None,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
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
