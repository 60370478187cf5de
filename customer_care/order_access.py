"""Who may see and change an order, and how many look-ups a chat may make.

A signed-in customer (a verified token, see `identity.py`) sees their own orders: those placed with their
e-mail address. Anyone else first gives the order number and the order's e-mail address or delivery postcode;
a wrong pair and an unknown number get the same answer, so the chat tells nothing about which numbers exist.
Look-ups are limited per conversation and per client address, which keeps guessing (a postcode has 10^5
values, numbers are sequential) hopeless.
"""

import re
import threading
import time
from collections import OrderedDict, deque
from typing import Callable, Deque, Iterable, Optional, Text, Tuple

from customer_care.identity import VerifiedCustomer
from customer_care.masking import EMAIL_PATTERN
from customer_care.orders import Order

MAX_ANSWER_CHARACTERS = 300
_TOKEN = re.compile(r"[a-z0-9]+")


def normal_postcode(text: Text) -> Text:
    """ "SW1A 1AA" -> "SW1A1AA", "10969" -> "10969": letters and digits only, upper case."""
    return "".join(_TOKEN.findall(text.lower())).upper()


def belongs_to(order: Optional[Order], customer: Optional[VerifiedCustomer]) -> bool:
    return order is not None and customer is not None and order.email.strip().lower() == customer.email


def details_match(order: Order, answer: Text) -> bool:
    """Whether the customer's answer names the order's e-mail address or its delivery postcode.

    The postcode counts as a whole run of letters and digits (spaces inside a postcode are allowed, as in
    "SW1A 1AA"), so "10969" does not match inside "109690".
    """
    answer = (answer or "")[:MAX_ANSWER_CHARACTERS]
    lowered = answer.lower()
    if any(match.group(0) == order.email.strip().lower() for match in EMAIL_PATTERN.finditer(lowered)):
        return True
    postcode = normal_postcode(order.postcode)
    if not postcode:
        return False
    tokens = _TOKEN.findall(lowered)
    # Any run of adjacent tokens that spells the postcode ("sw1a", "1aa").
    for start in range(len(tokens)):
        joined = ""
        for token in tokens[start : start + 3]:
            joined += token.upper()
            if joined == postcode:
                return True
            if len(joined) >= len(postcode):
                break
    return False


class LookupLimiter:
    """At most `limit` look-ups per key within `window_seconds` (a sliding window), for any number of keys:
    the least recently used keys are forgotten beyond `max_keys`, so memory stays bounded."""

    def __init__(
        self, limit: int, window_seconds: float, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._max_keys = max_keys
        self._clock = clock
        self._attempts: OrderedDict[Text, Deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: Text, now: float) -> Deque[float]:
        attempts = self._attempts.get(key)
        if attempts is None:
            attempts = self._attempts[key] = deque()
            while len(self._attempts) > self._max_keys:
                self._attempts.popitem(last=False)
        self._attempts.move_to_end(key)
        while attempts and attempts[0] <= now - self.window:
            attempts.popleft()
        return attempts

    def allow(self, keys: Iterable[Text]) -> bool:
        """Count one look-up against every key, unless one of them has used its allowance."""
        keys = [key for key in keys if key]
        with self._lock:
            now = self._clock()
            windows = [self._recent(key, now) for key in keys]
            if any(len(window) >= self.limit for window in windows):
                return False
            for window in windows:
                window.append(now)
            return True

    def exhausted(self, key: Text) -> bool:
        with self._lock:
            return len(self._recent(key, self._clock())) >= self.limit


# One chat checks a few orders. Per client address only failed look-ups count: one address may be a shop, an
# office or a mobile network with many honest customers, while guessing fails almost every time.
PER_CONVERSATION = (8, 3600.0)
FAILURES_PER_CLIENT = (20, 3600.0)


class OrderLookups:
    """Both limits: look-ups per conversation, failed look-ups per client address."""

    def __init__(
        self,
        per_conversation: Tuple[int, float] = PER_CONVERSATION,
        failures_per_client: Tuple[int, float] = FAILURES_PER_CLIENT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._conversations = LookupLimiter(*per_conversation, clock=clock)
        self._client_failures = LookupLimiter(*failures_per_client, clock=clock)

    def allowed(self, conversation_id: Text, client: Optional[Text]) -> bool:
        """Whether one more look-up may run (and count it against the conversation)."""
        if client is not None and self._client_failures.exhausted(client):
            return False
        return self._conversations.allow([conversation_id])

    def failed(self, client: Optional[Text]) -> None:
        """A look-up found no order with those details (or none of this customer's)."""
        if client is not None:
            self._client_failures.allow([client])
