"""Database work in the console runs in worker threads: a request stuck on a slow database call does not hold
up another agent's request."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from test_console_support import ConsoleUnderTest, running_console

STUCK_SECONDS = 10  # how long a slow call waits at most to be let go; the test is over long before


@pytest.fixture
def console(tmp_path: Path) -> Iterator[ConsoleUnderTest]:
    with running_console(tmp_path) as running:
        running.add_agent("alice", "Alice Agent")
        running.add_agent("tara", "Tara Trainer", role="trainer")
        running.open_ticket()
        yield running


def held(call: Callable[..., Any], entered: threading.Event, release: threading.Event) -> Callable[..., Any]:
    """`call`, made slow: it waits until the test releases it."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(STUCK_SECONDS)
        return call(*args, **kwargs)

    return slow


@pytest.mark.parametrize(
    "user, path, store, method",
    [
        ("alice", "/", "tickets", "queue"),
        ("alice", "/api/tickets/1", "tickets", "get"),
        ("tara", "/api/review/groups", "inbox", "sync"),
    ],
)
def test_a_slow_database_call_does_not_block_another_request(
    console: ConsoleUnderTest, user: str, path: str, store: str, method: str
) -> None:
    """Failed on main: the handlers called the stores on the event loop, so the second request waited for the
    first one's database call and timed out."""
    slow_browser, other_browser = console.browser(user), console.browser("alice")
    target = getattr(console.app.ctx.console, store)
    entered, release = threading.Event(), threading.Event()
    setattr(target, method, held(getattr(target, method), entered, release))
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(slow_browser.get, path)
        try:
            assert entered.wait(STUCK_SECONDS), "the slow call was never made"
            other = other_browser.http.get(other_browser.url("/api/me"), timeout=3)
            assert other.status_code == 200 and other.json()["username"] == "alice"
            assert not slow.done()  # the first request is still waiting for its database call
        finally:
            release.set()
        assert slow.result(timeout=STUCK_SECONDS).status_code == 200
