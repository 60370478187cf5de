"""Shared by the ticket webhook's tests (test_webhook_delivery, test_webhook_safety, test_webhook_settings): the
payload and the signing secret, the help desk on loopback that the conftest's `receiver` runs, and a recorded sleep.
"""

import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

PAYLOAD = {
    "id": 7,
    "console_url": "http://localhost:5006/tickets/7",
    "priority": "urgent",
    "summary": "The kettle caught fire",
    "customer_email": "ann@example.com",
    "created_at": "2026-03-10T12:00:00+00:00",
}
SECRET = "a-long-random-secret-for-the-tests"


@dataclass
class Receiver:
    """A help desk on loopback: records each request and answers with the next scripted status (then 200)."""

    statuses: List[int] = field(default_factory=list)
    hold: Optional[threading.Event] = None  # when set, each request waits for it before answering
    requests: List[Dict[str, Any]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    url: str = ""


class Sleeps:
    def __init__(self) -> None:
        self.pauses: List[float] = []

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
