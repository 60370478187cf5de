"""Tell another system (a help desk, a chat room) about each new ticket, without ever holding up the chat.

Configured in endpoints.yml:

    ticket_webhook:
      url: "https://helpdesk.example/hooks/larkspur"
      retries: 3          # attempts after the first one fails
      timeout: 5          # seconds per attempt
      total_timeout: 30   # seconds for the whole delivery: every attempt and pause together

and signed with a secret that is never in the repository or on a command line: the environment variable
TICKET_WEBHOOK_SECRET, or the file TICKET_WEBHOOK_SECRET_FILE names (a mounted secret, say). Without a secret,
the webhook is not used at all (and the error log says why).

Each notification is one JSON POST of the exact bytes that were signed:

    Content-Type: application/json
    X-Larkspur-Timestamp: 1773144000                   (Unix seconds when this attempt was sent)
    X-Larkspur-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret>

    {"category": ..., "console_url": "https://care.example/tickets/42", "created_at": ..., "customer_email": ...,
     "customer_name": ..., "id": 42, "priority": ..., "reason": ..., "summary": ...}

A receiver recomputes the HMAC over the timestamp header, a ".", and the raw body, compares it in constant time,
and refuses a timestamp more than 5 minutes away from its clock (a replay); `verify_signature` does exactly
that. The conversation id never leaves the assistant: the console link (CONSOLE_PUBLIC_URL, default
http://localhost:5006) leads a logged-in agent to the ticket. Free text in the payload is masked.

A redirect (3xx) is a failure and is never followed: the body holds personal data and goes to the configured
URL only. Other failures are retried with a growing pause until `retries` or `total_timeout` runs out, then
logged. Deliveries run on a small pool (`WORKERS` threads) with room for `QUEUE_SIZE` more waiting; a ticket
that finds no room is logged and not notified. Nothing a webhook does can delay or break the conversation.
"""

import hashlib
import hmac
import json
import logging
import os
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests
import yaml

from customer_care.masking import mask_personal_data
from customer_care.settings import endpoints_path
from customer_care.tickets import Ticket

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Larkspur-Signature"
TIMESTAMP_HEADER = "X-Larkspur-Timestamp"
SECRET_VARIABLE = "TICKET_WEBHOOK_SECRET"
SECRET_FILE_VARIABLE = "TICKET_WEBHOOK_SECRET_FILE"
MIN_SECRET_LENGTH = 16
SIGNATURE_TOLERANCE_SECONDS = 300
CONSOLE_URL_VARIABLE = "CONSOLE_PUBLIC_URL"
DEFAULT_CONSOLE_URL = "http://localhost:5006"
WORKERS = 2
QUEUE_SIZE = 100
IDLE_SECONDS = 60.0  # a worker with nothing to send for this long ends; the next ticket starts another
DEFAULT_TOTAL_TIMEOUT = 30.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Larkspur-Signature value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    now: Optional[float] = None,
    tolerance: float = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver checks: the signature is the secret's over this timestamp and body, and the timestamp is
    recent (an old request replayed is refused)."""
    if not isinstance(timestamp, str) or not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), (signature or "").encode())


def console_public_url() -> str:
    """Where people reach the agent console, for the link in each notification."""
    url = (os.environ.get(CONSOLE_URL_VARIABLE) or "").strip().rstrip("/")
    if not url:
        return DEFAULT_CONSOLE_URL
    if not url.startswith(("http://", "https://")):
        logger.error("Ignoring %s=%r: it must start with http:// or https://", CONSOLE_URL_VARIABLE, url)
        return DEFAULT_CONSOLE_URL
    return url


def ticket_payload(ticket: Ticket, console_url: Optional[str] = None) -> Dict[str, Any]:
    """What the webhook is told about a new ticket: no conversation id, free text masked."""
    base = (console_url or console_public_url()).rstrip("/")
    return {
        "id": ticket.id,
        "console_url": f"{base}/tickets/{ticket.id}",
        "priority": ticket.priority,
        "reason": ticket.reason,
        "category": ticket.category,
        "summary": mask_personal_data(ticket.summary),
        "customer_name": mask_personal_data(ticket.customer_name) if ticket.customer_name else None,
        "customer_email": ticket.customer_email,
        "created_at": ticket.created_at.isoformat(),
    }


class _DeliveryPool:
    """Up to `workers` daemon threads and room for `queue_size` more notifications waiting; no room, no
    delivery."""

    def __init__(
        self,
        deliver: Callable[[Dict[str, Any]], bool],
        workers: int,
        queue_size: int,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self._deliver = deliver
        self._workers = workers
        self._idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[Tuple[Dict[str, Any], Future[bool]]] = queue.SimpleQueue()
        self._room = threading.BoundedSemaphore(workers + queue_size)  # in flight or waiting
        self._threads: List[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, payload: Dict[str, Any]) -> Optional["Future[bool]"]:
        if not self._room.acquire(blocking=False):
            return None
        future: Future[bool] = Future()
        self._queue.put((payload, future))
        with self._lock:
            while len(self._threads) < self._workers:
                thread = threading.Thread(
                    target=self._work, name=f"ticket-webhook-{len(self._threads) + 1}", daemon=True
                )
                thread.start()
                self._threads.append(thread)
        return future

    def _work(self) -> None:
        while True:
            try:
                payload, future = self._queue.get(timeout=self._idle_seconds)
            except queue.Empty:
                with self._lock:  # submit() starts a worker under this lock after queueing, so none is lost
                    if self._queue.empty():
                        self._threads.remove(threading.current_thread())
                        return
                continue
            try:
                if future.set_running_or_notify_cancel():
                    future.set_result(self._deliver(payload))
            except Exception as error:  # deliver() handles its own failures; this is a bug, not the network
                logger.exception("Ticket webhook delivery for ticket %s crashed", payload.get("id"))
                future.set_exception(error)
            finally:
                self._room.release()


@dataclass(frozen=True)
class TicketWebhook:
    url: str
    secret: str = field(default="", repr=False)
    retries: int = 3
    timeout: float = 5.0
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT
    backoff_seconds: float = 1.0
    workers: int = WORKERS
    queue_size: int = QUEUE_SIZE
    _pool: _DeliveryPool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"a ticket webhook needs a secret of at least {MIN_SECRET_LENGTH} characters to sign with")
        object.__setattr__(self, "_pool", _DeliveryPool(self.deliver, self.workers, self.queue_size))

    def deliver(
        self,
        payload: Dict[str, Any],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> bool:
        """Send now, retrying; True once the receiver answered 2xx. Runs in the caller's thread. No attempt
        starts, and no pause is taken, past `total_timeout`, and each attempt may only use the time left (as a
        socket timeout: a receiver that trickles its answer a byte at a time can stretch its attempt)."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        deadline = clock() + self.total_timeout
        attempts = self.retries + 1
        made = 0
        while made < attempts:
            remaining = deadline - clock()
            if remaining <= 0:
                break
            made += 1
            problem, final = self._attempt(body, min(self.timeout, remaining))
            if problem is None:
                return True
            logger.warning(
                "Ticket webhook attempt %d of %d for ticket %s failed: %s", made, attempts, payload.get("id"), problem
            )
            pause = self.backoff_seconds * 2 ** (made - 1)
            if final or made == attempts or clock() + pause >= deadline:
                break
            sleep(pause)
        logger.error("Ticket webhook gave up on ticket %s after %d attempts", payload.get("id"), made)
        return False

    def _attempt(self, body: bytes, timeout: float) -> Tuple[Optional[str], bool]:
        """One signed POST: (None, _) when it was taken, else (what went wrong, whether retrying is pointless)."""
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
        }
        try:
            # stream=True: the receiver's answer body is never read, so it can't keep us waiting.
            with requests.post(
                self.url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
            ) as response:
                status = response.status_code
        except requests.RequestException as error:
            return type(error).__name__, False
        if 200 <= status < 300:
            return None, False
        if 300 <= status < 400:
            return (
                f"HTTP {status}, a redirect, which is not followed (the body holds personal data): "
                "point ticket_webhook.url at the final address"
            ), True
        return f"HTTP {status}", False

    def notify(self, payload: Dict[str, Any]) -> Optional["Future[bool]"]:
        """Queue the delivery and return at once: a future of its outcome, or None when the pool was full and
        the notification was dropped (and logged)."""
        future = self._pool.submit(payload)
        if future is None:
            logger.error(
                "Ticket webhook queue is full (%d sending, %d waiting); dropped the notification for ticket %s",
                self.workers,
                self.queue_size,
                payload.get("id"),
            )
        return future


def webhook_secret() -> Optional[str]:
    """The signing secret from TICKET_WEBHOOK_SECRET, or else from the file TICKET_WEBHOOK_SECRET_FILE names."""
    secret = (os.environ.get(SECRET_VARIABLE) or "").strip()
    if secret:
        return secret
    path = (os.environ.get(SECRET_FILE_VARIABLE) or "").strip()
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{SECRET_FILE_VARIABLE} names a file that can't be read ({type(error).__name__})") from None


def load_webhook(path: Optional[Path] = None) -> Optional[TicketWebhook]:
    """The webhook configured in endpoints.yml, or None when there is none (or it can't be used safely)."""
    path = path or endpoints_path()
    if not path.exists():
        return None
    section = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("ticket_webhook") or {}
    try:
        if not isinstance(section, dict):
            raise ValueError("it must be a mapping with a url")
        url = str(section.get("url") or "").strip()
        if not url:
            return None
        if "secret" in section:
            raise ValueError(
                f"a secret does not belong in a file of the repository; set {SECRET_VARIABLE} or "
                f"{SECRET_FILE_VARIABLE} instead (and change the secret: it has been exposed)"
            )
        retries, timeout = int(section.get("retries", 3)), float(section.get("timeout", 5))
        total_timeout = float(section.get("total_timeout", DEFAULT_TOTAL_TIMEOUT))
        if retries < 0 or not 0 < timeout < float("inf") or not 0 < total_timeout < float("inf"):
            raise ValueError("retries must be 0 or more, timeout and total_timeout more than 0")
        secret = webhook_secret()
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"no secret to sign notifications with: set {SECRET_VARIABLE} or "
                f"{SECRET_FILE_VARIABLE} (at least {MIN_SECRET_LENGTH} characters; 32 random bytes, "
                "e.g. `openssl rand -hex 32`, are better)"
            )
    except (TypeError, ValueError) as error:
        # A broken webhook setting must not stop tickets being written: say so in the log and carry on.
        logger.error("Ignoring ticket_webhook in %s: %s", path, error)
        return None
    return TicketWebhook(url=url, secret=secret, retries=retries, timeout=timeout, total_timeout=total_timeout)
