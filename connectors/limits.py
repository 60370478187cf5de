"""How much a client may send the channels, checked before anything is parsed or read."""

import os
import threading
import time
from collections import OrderedDict
from typing import Callable, Optional, Text, Tuple

from customer_care.text_limits import MAX_MESSAGE_CHARACTERS  # one cap for the channels and the analysis

MAX_BODY_BYTES = 64 * 1024  # a REST request: a long message with metadata fits many times over
MAX_SOCKET_MESSAGE_BYTES = 64 * 1024  # one socket.io packet (engine.io's limit; its default is 1 MB)
MAX_SENDER_CHARACTERS = 200

TOO_LONG = (
    f"Sorry, that message is too long for me (the limit is {MAX_MESSAGE_CHARACTERS:,} characters). Could "
    "you send it in shorter parts?"
)
TOO_FAST = (
    "Sorry, that was more messages than I can read at once, so I missed your last one. Could you wait a "
    "few seconds and send it again?"
)
# When a turn can't be run (the lock store, the tracker store or the model failing): the message was not kept.
UNAVAILABLE = (
    "Sorry, something on our side isn't working right now, so I couldn't read your last message. Could you "
    "send it again in a minute?"
)

# Messages per client address: a burst, then a steady rate. A person types a message every few seconds at most;
# one address may also be an office or a mobile network's gateway with several customers chatting at once, so
# the steady rate is that of several people. Behind a reverse proxy the address is the proxy's unless Sanic is
# told to read the client's (SANIC_PROXIES_COUNT or SANIC_REAL_IP_HEADER); 0 switches the limit off.
MESSAGES_PER_MINUTE = "LARKSPUR_CLIENT_MESSAGES_PER_MINUTE"
MESSAGE_BURST = "LARKSPUR_CLIENT_MESSAGE_BURST"
DEFAULT_MESSAGES_PER_MINUTE = 30.0
DEFAULT_MESSAGE_BURST = 10


class ClientMessageRate:
    """A token bucket per client: `burst` messages at once, refilled at `per_minute`. Keys beyond `max_clients`
    are forgotten least recently used first, so memory stays bounded whatever addresses arrive. A rate of 0 (or
    a burst of 0) allows everything."""

    def __init__(
        self, per_minute: float, burst: int, max_clients: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_minute / 60.0
        self.burst = float(burst)
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[Text, Tuple[float, float]] = OrderedDict()  # client -> tokens, as of
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_second > 0 and self.burst > 0

    def allow(self, client: Optional[Text]) -> bool:
        """Count one message against `client` if its bucket holds one; a message without a client is allowed."""
        if not self.enabled or not client:
            return True
        with self._lock:
            now = self._clock()
            tokens, as_of = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - as_of) * self.per_second)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
            return allowed

    def retry_after(self, client: Optional[Text]) -> int:
        """Whole seconds until `client` may send again (at least 1)."""
        with self._lock:
            tokens, _ = self._buckets.get(client or "", (self.burst, 0.0))
        missing = max(0.0, 1.0 - tokens)
        return max(1, int(missing / self.per_second + 0.999)) if self.per_second else 1

    @classmethod
    def from_environment(cls) -> "ClientMessageRate":
        def number(name: Text, default: float) -> float:
            raw = os.environ.get(name, "").strip()
            try:
                value = float(raw) if raw else default
            except ValueError:
                raise ValueError(f"{name} must be a number, not {raw!r}") from None
            if value < 0:
                raise ValueError(f"{name} must not be negative")
            return value

        return cls(
            number(MESSAGES_PER_MINUTE, DEFAULT_MESSAGES_PER_MINUTE), int(number(MESSAGE_BURST, DEFAULT_MESSAGE_BURST))
        )


_shared_rate: Optional[ClientMessageRate] = None
_shared_lock = threading.Lock()


def shared_message_rate() -> ClientMessageRate:
    """The one limiter of this process: a client's REST and socket.io messages count against the same bucket."""
    global _shared_rate
    with _shared_lock:
        if _shared_rate is None:
            _shared_rate = ClientMessageRate.from_environment()
        return _shared_rate
