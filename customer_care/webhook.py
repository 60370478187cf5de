"""Tell another system (a help desk, a chat room) about each new ticket, without ever holding up the chat.

Configured in endpoints.yml:

    ticket_webhook:
      url: "https://helpdesk.example/hooks/larkspur"
      retries: 3          # attempts after the first one fails
      timeout: 5          # seconds per attempt

Each notification is a JSON POST sent from a background thread; failures are retried with a growing pause
and then logged. Nothing a webhook does can delay or break the conversation.
"""

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional

import requests
import yaml

from customer_care.settings import endpoints_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TicketWebhook:
    url: str
    retries: int = 3
    timeout: float = 5.0
    backoff_seconds: float = 1.0

    def deliver(self, payload: Dict[str, Any], sleep: Callable[[float], None] = time.sleep) -> bool:
        """Send now, retrying; True once the receiver answered 2xx. Runs in the caller's thread."""
        for attempt in range(self.retries + 1):
            try:
                response = requests.post(self.url, json=payload, timeout=self.timeout)
                if 200 <= response.status_code < 300:
                    return True
                problem = f"HTTP {response.status_code}"
            except requests.RequestException as error:
                problem = type(error).__name__
            logger.warning("Ticket webhook attempt %d of %d failed: %s", attempt + 1, self.retries + 1, problem)
            if attempt < self.retries:
                sleep(self.backoff_seconds * 2**attempt)
        logger.error("Ticket webhook gave up on ticket %s after %d attempts", payload.get("id"), self.retries + 1)
        return False

    def notify(self, payload: Dict[str, Any]) -> threading.Thread:
        """Deliver in a background thread and return at once."""
        thread = threading.Thread(target=self.deliver, args=(payload,), name="ticket-webhook", daemon=True)
        thread.start()
        return thread


def load_webhook(path: Optional[Path] = None) -> Optional[TicketWebhook]:
    """The webhook configured in endpoints.yml, or None when there is none."""
    path = path or endpoints_path()
    if not path.exists():
        return None
    section = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("ticket_webhook") or {}
    try:
        if not isinstance(section, dict):
            raise ValueError("it must be a mapping with a url")
        url = str(section.get("url") or "").strip()
        retries, timeout = int(section.get("retries", 3)), float(section.get("timeout", 5))
        if retries < 0 or timeout <= 0:
            raise ValueError("retries must be 0 or more and timeout more than 0")
    except (TypeError, ValueError) as error:
        # A broken webhook setting must not stop tickets being written: say so in the log and carry on.
        logger.error("Ignoring ticket_webhook in %s: %s", path, error)
        return None
    return TicketWebhook(url=url, retries=retries, timeout=timeout) if url else None
