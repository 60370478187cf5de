"""The bookkeeping of test_hostile_inputs' barrage: the outcome of each delivery, what is in flight, which servers
died or stopped answering (and the suspects), and when to stop sending."""

import itertools
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

import requests

from tests.abuse.conftest import new_sender
from tests.abuse.hostile_value import Hostile

# For the whole barrage (177 s on the quiet 2-core machine on 2026-12-02, about 340 s with other work running
# beside it); what is left unsent after it counts as a failure.
BUDGET_SECONDS = 300.0
CANARY_TIMEOUT = 10.0  # for a plain "hi" after a turn timed out: a turn takes well under a second
SAME_FAILURE_LIMIT = 3  # after this many unacknowledged events (or timeouts) on one endpoint, skip the rest of it
CONSOLE_ENDPOINTS = ("console", "shop")  # the deliveries' names that go to the console; the others go to Rasa


# Outcomes -----------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    endpoint: str
    hostile: str
    category: str
    result: str  # "ok", "refused" (4xx, disconnected), "failed", "skipped", "not sent"
    detail: str
    seconds: float = 0.0
    size: int = 0


@dataclass
class Barrage:
    servers: Any
    deadline: float
    # Each input is sent from an address of its own: the channels' message rate per address would otherwise turn
    # most of the barrage away before it reached the NLU and the actions (tests/abuse/test_latency.py checks that
    # rate).
    sources: Dict[str, str] = field(default_factory=dict)
    outcomes: List[Outcome] = field(default_factory=list)
    stalled: Optional[str] = None
    endpoint_failures: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    canary_lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: Dict[int, Tuple[str, str, float]] = field(default_factory=dict)  # id -> endpoint, input, start
    recently_ended: List[Tuple[float, str, str]] = field(default_factory=list)  # end, endpoint, input
    deaths: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # server -> exit code, suspects, log
    keys: Iterator[int] = field(default_factory=itertools.count)
    down: Optional[Dict[str, Any]] = None  # the first server found not accepting connections, with the suspects

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def start(self, endpoint: str, hostile: Hostile) -> int:
        with self.lock:
            key = next(self.keys)
            self.in_flight[key] = (endpoint, hostile.name, time.monotonic())
            return key

    def end(self, key: int) -> None:
        with self.lock:
            endpoint, name, _ = self.in_flight.pop(key)
            now = time.monotonic()
            self.recently_ended.append((now, endpoint, name))
            self.recently_ended = [entry for entry in self.recently_ended if entry[0] > now - 1.5]

    def watch(self, stop: threading.Event) -> None:
        """Note the moment a server process dies, with what was in flight then (and ended just before): the
        suspects. Its log's last error lines tell which of them it was."""
        while not stop.wait(0.2):
            for name, process in self.servers.processes.items():
                if name in self.deaths or process.poll() is None:
                    continue
                suspects = self.down["suspects"] if self.down else self.suspects(console=name == "console")
                log = self.servers.log(name)
                errors = [
                    line[:300]
                    for line in log.splitlines()
                    if re.search(r"Error|Exiting|SystemExit|ERROR", line) and not line.startswith(" ")
                ]
                self.deaths[name] = {
                    "exit_code": process.returncode,
                    "suspects": suspects[:40],
                    "last_errors": errors[-8:],
                }

    def suspects(self, console: bool = False) -> List[str]:
        """What was in flight to the Rasa server (or to the console), or ended in the last moments."""
        with self.lock:
            found = {(endpoint, hostile) for endpoint, hostile, _ in self.in_flight.values()} | {
                (endpoint, hostile) for _, endpoint, hostile in self.recently_ended
            }
        # Those that reach the conversation code first (REST, socket.io events), then the plain paths.
        return [
            f"{endpoint} <- {hostile}"
            for endpoint, hostile in sorted(found, key=lambda pair: (not pair[0].startswith(("rest", "sio")), pair))
            if endpoint.startswith(CONSOLE_ENDPOINTS) == console
        ]

    def is_down(self, base_url: str) -> bool:
        """After a connection failed: does the server still accept a plain request? If not, it is dying or dead:
        note what was in flight, and stop."""
        if self.down:
            return True
        try:
            requests.get(f"{base_url}/", timeout=10)
            return False
        except requests.Timeout:
            return False  # busy, not gone
        except requests.ConnectionError:
            self.down = {
                "server": base_url,
                "suspects": self.suspects(console=base_url == self.servers.console_url)[:40],
            }
            return True

    def skip_reason(self, endpoint: str, turn: bool) -> Optional[str]:
        if self.deaths or self.down:
            return f"a server stopped ({', '.join(self.deaths) or self.down['server']})"
        if time.monotonic() > self.deadline:
            return f"time budget of {BUDGET_SECONDS:.0f} s spent"
        if turn and self.stalled:
            return f"the assistant stopped answering ({self.stalled})"
        if self.endpoint_failures[endpoint] >= SAME_FAILURE_LIMIT:
            return f"{endpoint} already failed {SAME_FAILURE_LIMIT} times the same way"
        return None

    def count_failure(self, endpoint: str) -> None:
        with self.lock:
            self.endpoint_failures[endpoint] += 1

    def check_stall(self, culprit: str) -> None:
        """After a turn timed out: does the assistant still answer a plain 'hi'? If not, stop sending turns."""
        with self.canary_lock:
            if self.stalled:
                return
            try:
                reply = requests.post(
                    self.servers.rest_webhook,
                    json={"sender": new_sender("canary"), "message": "hi"},
                    timeout=CANARY_TIMEOUT,
                )
                if reply.status_code == 200:
                    return
            except requests.RequestException:
                pass
            self.stalled = f"after {culprit}"
