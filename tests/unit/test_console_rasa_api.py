"""RasaClient against a fake Rasa HTTP server: the exact URLs, token, query parameters and bodies, how a
tracker becomes a transcript, and how failures become RasaUnavailable."""

import asyncio
import json
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from aiohttp import web
from test_console_support import PASSWORD, Browser, free_socket, serving, settings_for

from console.app import create_app
from console.rasa_api import RasaClient, RasaUnavailable, transcript_from_events
from customer_care.agents import AgentDirectory
from customer_care.tickets import NewTicket, TicketStore

TOKEN = "s3cret-token"

TRACKER = {
    "sender_id": "conv/1",
    "paused": True,
    "events": [
        {"event": "action", "timestamp": 1700000000.0, "name": "action_listen"},
        {"event": "user", "timestamp": 1700000001.0, "text": "<script>alert(1)</script>", "parse_data": {}},
        {"event": "bot", "timestamp": 1700000002.0, "text": "Sorry to hear that.", "data": {}, "metadata": {}},
        {"event": "slot", "timestamp": 1700000002.5, "name": "customer_name", "value": "Dana"},
        {"event": "pause", "timestamp": 1700000003.0},
        {
            "event": "bot",
            "timestamp": 1700000004.0,
            "text": "Alice (customer care): I'm on it.",
            "metadata": {"agent_name": "Alice"},
        },
        {"event": "bot", "timestamp": 1700000004.5, "text": None, "data": {"image": "x.png"}},
        {"event": "resume", "timestamp": 1700000005.0},
    ],
}


class FakeRasaServer:
    """A tiny aiohttp server in its own thread that records every request and serves a canned tracker."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.status = 200
        self.body: Optional[str] = None  # raw body to answer with instead of the usual JSON
        self.delay = 0.0
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._runner: Optional[web.AppRunner] = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        self.requests.append(
            {
                "method": request.method,
                "path": request.raw_path.split("?")[0],
                "query": dict(request.query),
                "json": json.loads(raw) if raw else None,
            }
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.body is not None:
            return web.Response(status=self.status, text=self.body, content_type="text/plain")
        if self.status >= 400:
            return web.json_response({"status": "failure", "message": "Conversation not found"}, status=self.status)
        if request.method == "GET":
            return web.json_response(TRACKER)
        return web.json_response({"sender_id": "conv/1", "events": []})

    def start(self) -> None:
        sock = free_socket()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

        async def setup() -> None:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            await web.SockSite(self._runner, sock).start()

        self._loop.run_until_complete(setup())
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    def stop(self) -> None:
        async def cleanup() -> None:
            if self._runner:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)


@pytest.fixture
def rasa_server() -> Iterator[FakeRasaServer]:
    server = FakeRasaServer()
    server.start()
    yield server
    server.stop()


def call(client: RasaClient, method: str, *args: Any) -> Any:
    async def scenario() -> Any:
        try:
            return await getattr(client, method)(*args)
        finally:
            await client.close()

    return asyncio.run(scenario())


def test_transcript_reads_the_tracker_with_the_token(rasa_server: FakeRasaServer) -> None:
    lines = call(RasaClient(rasa_server.url + "/", TOKEN), "transcript", "conv/1")

    assert rasa_server.requests == [
        {"method": "GET", "path": "/conversations/conv%2F1/tracker", "query": {"token": TOKEN}, "json": None}
    ]
    assert lines == [
        {
            "sender": "customer",
            "text": "<script>alert(1)</script>",
            "time": "2023-11-14T22:13:21+00:00",
            "agent_name": None,
        },
        {"sender": "bot", "text": "Sorry to hear that.", "time": "2023-11-14T22:13:22+00:00", "agent_name": None},
        {
            "sender": "system",
            "text": "Conversation paused: the bot waits for an agent.",
            "time": "2023-11-14T22:13:23+00:00",
            "agent_name": None,
        },
        {"sender": "agent", "text": "I'm on it.", "time": "2023-11-14T22:13:24+00:00", "agent_name": "Alice"},
        {
            "sender": "system",
            "text": "Conversation resumed: the bot answers again.",
            "time": "2023-11-14T22:13:25+00:00",
            "agent_name": None,
        },
    ]


def test_agent_message_is_a_bot_event_with_the_agent_named(rasa_server: FakeRasaServer) -> None:
    call(RasaClient(rasa_server.url, TOKEN), "send_agent_message", "conv-1", "Alice", "Your refund is on its way.")

    assert rasa_server.requests == [
        {
            "method": "POST",
            "path": "/conversations/conv-1/tracker/events",
            "query": {"output_channel": "latest", "execute_side_effects": "true", "token": TOKEN},
            "json": {
                "event": "bot",
                "text": "Alice (customer care): Your refund is on its way.",
                "metadata": {"agent_name": "Alice"},
            },
        }
    ]


def test_resume_appends_a_resume_event(rasa_server: FakeRasaServer) -> None:
    call(RasaClient(rasa_server.url, TOKEN), "resume", "conv-1")

    assert rasa_server.requests == [
        {
            "method": "POST",
            "path": "/conversations/conv-1/tracker/events",
            "query": {"output_channel": "latest", "execute_side_effects": "true", "token": TOKEN},
            "json": {"event": "resume"},
        }
    ]


def test_hand_back_resumes_then_runs_action_bot_back(rasa_server: FakeRasaServer) -> None:
    call(RasaClient(rasa_server.url, TOKEN), "hand_back", "conv-1")

    assert [(r["path"], r["json"]) for r in rasa_server.requests] == [
        ("/conversations/conv-1/tracker/events", {"event": "resume"}),
        ("/conversations/conv-1/execute", {"name": "action_bot_back"}),
    ]
    assert rasa_server.requests[1]["query"] == {"output_channel": "latest", "token": TOKEN}


@pytest.mark.parametrize(
    "status, fragment",
    [
        (401, "check RASA_API_TOKEN"),
        (403, "check RASA_API_TOKEN"),
        (404, "Rasa answered 404"),
        (500, "Rasa answered 500"),
    ],
)
def test_error_statuses_become_rasa_unavailable(rasa_server: FakeRasaServer, status: int, fragment: str) -> None:
    rasa_server.status = status
    with pytest.raises(RasaUnavailable, match=fragment) as raised:
        call(RasaClient(rasa_server.url, TOKEN), "resume", "conv-1")
    assert TOKEN not in str(raised.value)


def test_unreachable_rasa_becomes_rasa_unavailable() -> None:
    sock = free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()  # nothing listens there now
    with pytest.raises(RasaUnavailable, match="Cannot reach Rasa at .* is it running"):
        call(RasaClient(url, TOKEN), "transcript", "conv-1")


def test_slow_rasa_times_out(rasa_server: FakeRasaServer) -> None:
    rasa_server.delay = 1.0
    with pytest.raises(RasaUnavailable, match="did not answer in time"):
        call(RasaClient(rasa_server.url, TOKEN, timeout_seconds=0.2), "transcript", "conv-1")


def test_a_non_json_answer_becomes_rasa_unavailable(rasa_server: FakeRasaServer) -> None:
    rasa_server.body = "<html>not rasa</html>"
    with pytest.raises(RasaUnavailable, match="Unexpected answer"):
        call(RasaClient(rasa_server.url, TOKEN), "transcript", "conv-1")


def test_transcript_skips_what_is_not_a_message() -> None:
    assert transcript_from_events(
        [
            "junk",
            {"event": "user"},
            {"event": "bot", "text": ""},
            {"event": "user", "text": "hi", "timestamp": "yesterday"},
        ]
    ) == [{"sender": "customer", "text": "hi", "time": None, "agent_name": None}]


def test_console_replies_through_the_real_client(tmp_path: Path, rasa_server: FakeRasaServer) -> None:
    """The whole path: a browser form, the app, RasaClient, HTTP to Rasa."""
    settings = settings_for(tmp_path, rasa_url=rasa_server.url, rasa_api_token=TOKEN)
    AgentDirectory(settings.database_url).add("alice", "Alice", PASSWORD)
    ticket = TicketStore(settings.database_url).open_ticket(NewTicket("conv-9", "customer_asked", "high"))
    with serving(create_app(settings)) as base_url:
        browser = Browser(base_url)
        assert browser.login("alice").status_code == 303
        page = browser.get(f"/tickets/{ticket.id}")
        reply = browser.form_post(f"/api/tickets/{ticket.id}/reply", {"text": "Hello, Alice here."})

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert reply.status_code == 303 and reply.headers["Location"] == f"/tickets/{ticket.id}"
    assert rasa_server.requests[-1]["json"] == {
        "event": "bot",
        "text": "Alice (customer care): Hello, Alice here.",
        "metadata": {"agent_name": "Alice"},
    }
    assert rasa_server.requests[-1]["query"]["token"] == TOKEN


def test_an_agent_reply_reaches_rasa_escaped_for_the_widgets_markdown(rasa_server: FakeRasaServer) -> None:
    call(
        RasaClient(rasa_server.url, TOKEN),
        "send_agent_message",
        "conv-1",
        "Alice *A*",
        "[x](javascript:alert(1)) <script>",
    )

    assert rasa_server.requests[-1]["json"] == {
        "event": "bot",
        "text": r"Alice \*A\* (customer care): \[x\](javascript:alert(1)) &lt;script>",
        "metadata": {"agent_name": "Alice *A*"},
    }
    # ... and the console's transcript shows it as the agent typed it.
    lines = transcript_from_events([{**rasa_server.requests[-1]["json"], "timestamp": 1700000004.0}])
    assert lines == [
        {
            "sender": "agent",
            "text": "[x](javascript:alert(1)) <script>",
            "time": "2023-11-14T22:13:24+00:00",
            "agent_name": "Alice *A*",
        }
    ]
