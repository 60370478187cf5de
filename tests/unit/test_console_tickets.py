"""The queue and ticket pages and the ticket API: escaping of customer text, and what claim, reply, hand back
and resolve do to the ticket store, the issue log and Rasa."""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from test_console_support import XSS_IMG, XSS_SCRIPT, Browser, ConsoleUnderTest, running_console

from customer_care.issue_log import IssueEntry, IssueLog

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&lt;img src=x onerror=alert(1)&gt;"


pytestmark = pytest.mark.usefixtures("cheap_password_hashing")  # every test here logs in


@pytest.fixture
def console(tmp_path: Path) -> Iterator[ConsoleUnderTest]:
    with running_console(tmp_path) as running:
        running.add_agent("alice", "Alice Agent")
        running.open_ticket("conv-1")
        yield running


@pytest.fixture
def alice(console: ConsoleUnderTest) -> Browser:
    return console.browser("alice")


def hostile_ticket(console: ConsoleUnderTest) -> int:
    """A ticket where everything the customer could type is an XSS attempt."""
    now = datetime.now(timezone.utc)
    earlier = console.open_ticket(
        "conv-x",
        created=now - timedelta(days=3),
        summary=XSS_IMG,
        customer_name=XSS_SCRIPT,
        customer_email="x@example.com",
    )
    console.tickets.close_ticket(earlier.id, "alice", "resolved", outcome=XSS_SCRIPT)
    IssueLog(console.settings.database_url).record(
        IssueEntry(
            conversation_id="conv-x", kind="complaint", category="damaged_item", paraphrase=XSS_IMG, raw_text=XSS_IMG
        )
    )
    console.rasa.lines = [
        {"sender": "customer", "text": XSS_SCRIPT, "time": "2026-03-10T10:00:00+00:00", "agent_name": None},
        {"sender": "customer", "text": XSS_IMG, "time": "2026-03-10T10:00:05+00:00", "agent_name": None},
        {"sender": "agent", "text": "hello", "time": "2026-03-10T10:01:00+00:00", "agent_name": XSS_IMG},
    ]
    return console.open_ticket(
        "conv-x",
        priority="urgent",
        summary=f"Says {XSS_SCRIPT} and {XSS_IMG}",
        customer_name=XSS_SCRIPT,
        customer_email="x@example.com",
    ).id


def assert_escaped(html: str) -> None:
    assert XSS_SCRIPT not in html and XSS_IMG not in html
    assert "onerror=alert" not in html.replace(ESCAPED_IMG, "")
    assert "<script>" not in html


def test_customer_text_is_escaped_on_the_ticket_page(console: ConsoleUnderTest, alice: Browser) -> None:
    ticket_id = hostile_ticket(console)
    page = alice.get(f"/tickets/{ticket_id}")
    assert page.status_code == 200
    assert_escaped(page.text)
    # The summary, the transcript (customer lines and the agent name), the history and the issue log are all there.
    assert page.text.count(ESCAPED_SCRIPT) >= 3 and page.text.count(ESCAPED_IMG) >= 4


def test_customer_text_is_escaped_in_the_queue(console: ConsoleUnderTest, alice: Browser) -> None:
    hostile_ticket(console)
    page = alice.get("/")
    assert_escaped(page.text)
    assert ESCAPED_SCRIPT in page.text and ESCAPED_IMG in page.text


def test_the_api_returns_customer_text_as_plain_data(console: ConsoleUnderTest, alice: Browser) -> None:
    ticket_id = hostile_ticket(console)
    queue = alice.get("/api/tickets")
    assert queue.headers["Content-Type"].startswith("application/json")
    hostile = next(ticket for ticket in queue.json()["tickets"] if ticket["id"] == ticket_id)
    assert hostile["summary"] == f"Says {XSS_SCRIPT} and {XSS_IMG}"
    assert hostile["customer_name"] == XSS_SCRIPT
    detail = alice.get(f"/api/tickets/{ticket_id}").json()
    assert detail["history"][0]["outcome"] == XSS_SCRIPT
    assert detail["issues"][0]["paraphrase"] == XSS_IMG
    lines = alice.get(f"/api/tickets/{ticket_id}/transcript").json()["lines"]
    assert [line["text"] for line in lines[:2]] == [XSS_SCRIPT, XSS_IMG]


def test_queue_lists_open_tickets_by_priority_then_waiting_time(console: ConsoleUnderTest, alice: Browser) -> None:
    now = datetime.now(timezone.utc)
    console.open_ticket("conv-low", priority="low", created=now - timedelta(hours=5))
    console.open_ticket("conv-urgent-new", priority="urgent", created=now - timedelta(minutes=1))
    console.open_ticket("conv-urgent-old", priority="urgent", created=now - timedelta(minutes=30))
    closed = console.open_ticket("conv-closed", priority="urgent")
    console.tickets.close_ticket(closed.id, "alice", "resolved")
    tickets = alice.get("/api/tickets").json()["tickets"]
    assert [ticket["conversation_id"] for ticket in tickets] == [
        "conv-urgent-old",
        "conv-urgent-new",
        "conv-1",
        "conv-low",
    ]
    assert tickets[0]["waiting"] == "30 min" and tickets[0]["url"] == f"/tickets/{tickets[0]['id']}"
    page = alice.get("/").text
    assert (
        page.index('href="/tickets/4"')
        < page.index('href="/tickets/3"')
        < page.index('href="/tickets/1"')
        < page.index('href="/tickets/2"')
    )
    assert 'href="/tickets/5"' not in page


def test_claim_assigns_the_ticket_without_telling_rasa(console: ConsoleUnderTest, alice: Browser) -> None:
    response = alice.api_post("/api/tickets/1/claim")
    assert response.status_code == 200
    assert response.json()["ticket"]["status"] == "claimed"
    assert response.json()["ticket"]["assigned_agent_name"] == "Alice Agent"
    assert console.tickets.get(1).assigned_agent == "alice"
    assert console.rasa.actions() == []


def test_reply_claims_and_speaks_in_the_conversation(console: ConsoleUnderTest, alice: Browser) -> None:
    response = alice.api_post("/api/tickets/1/reply", {"text": "  Your replacement ships today.  "})
    assert response.status_code == 200
    assert console.rasa.actions() == [("send_agent_message", "conv-1", "Alice Agent", "Your replacement ships today.")]
    ticket = console.tickets.get(1)
    assert (ticket.status, ticket.assigned_agent) == ("claimed", "alice")


@pytest.mark.parametrize(
    "body, reason",
    [
        ({"text": ""}, "empty"),
        ({"text": "   \n "}, "empty"),
        ({}, "must be text"),
        ({"text": 42}, "must be text"),
        ({"text": "x" * 2001}, "2001 characters; at most 2000"),
    ],
)
def test_reply_text_must_be_1_to_2000_characters(
    console: ConsoleUnderTest, alice: Browser, body: dict, reason: str
) -> None:
    response = alice.api_post("/api/tickets/1/reply", body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert console.rasa.actions() == [] and console.tickets.get(1).status == "waiting"


def test_a_2000_character_reply_is_fine(console: ConsoleUnderTest, alice: Browser) -> None:
    assert alice.api_post("/api/tickets/1/reply", {"text": "x" * 2000}).status_code == 200


@pytest.mark.parametrize(
    "raw, reason", [("{not json", "Malformed JSON"), ("[1, 2]", "JSON object"), (b"\xff\xfe", "Malformed JSON")]
)
def test_malformed_json_is_a_400_with_a_reason(
    console: ConsoleUnderTest, alice: Browser, raw: str, reason: str
) -> None:
    response = alice.post(
        "/api/tickets/1/reply", data=raw, headers={"X-CSRF-Token": alice.csrf_token, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert reason in response.json()["error"]


def test_hand_back_closes_the_ticket_and_gives_the_chat_to_the_bot(console: ConsoleUnderTest, alice: Browser) -> None:
    alice.api_post("/api/tickets/1/claim")
    response = alice.api_post("/api/tickets/1/hand-back")
    assert response.status_code == 200
    assert response.json()["ticket"]["status"] == "handed_back"
    assert console.tickets.get(1).status == "handed_back"
    assert console.rasa.actions() == [("hand_back", "conv-1")]
    assert alice.get("/api/tickets").json()["tickets"] == []


def test_resolve_closes_logs_and_resumes_the_bot(console: ConsoleUnderTest, alice: Browser) -> None:
    response = alice.api_post("/api/tickets/1/resolve", {"outcome": "Refund of 20 EUR issued."})
    assert response.status_code == 200
    ticket = console.tickets.get(1)
    assert (ticket.status, ticket.assigned_agent, ticket.outcome) == ("resolved", "alice", "Refund of 20 EUR issued.")
    assert console.rasa.actions() == [("resume", "conv-1")]
    [entry] = IssueLog(console.settings.database_url).for_conversation("conv-1")
    assert (entry.kind, entry.category, entry.paraphrase, entry.raw_text, entry.outcome) == (
        "escalation",
        "damaged_item",
        "Parcel arrived damaged",
        "Refund of 20 EUR issued.",
        "resolved_by_agent",
    )


def test_resolve_needs_an_outcome_note(console: ConsoleUnderTest, alice: Browser) -> None:
    response = alice.api_post("/api/tickets/1/resolve", {"outcome": " "})
    assert response.status_code == 400 and "outcome note" in response.json()["error"]
    assert console.tickets.get(1).is_open and console.rasa.actions() == []


@pytest.mark.parametrize(
    "action, body", [("reply", {"text": "hi"}), ("claim", None), ("hand-back", None), ("resolve", {"outcome": "again"})]
)
def test_a_closed_ticket_takes_no_more_actions(
    console: ConsoleUnderTest, alice: Browser, action: str, body: dict
) -> None:
    alice.api_post("/api/tickets/1/resolve", {"outcome": "done"})
    calls = len(console.rasa.actions())
    response = alice.api_post(f"/api/tickets/1/{action}", body)
    assert response.status_code == 409
    assert response.json()["error"] == "Ticket 1 is already resolved."
    assert len(console.rasa.actions()) == calls


def test_a_reply_form_to_a_closed_ticket_shows_the_reason_on_the_page(
    console: ConsoleUnderTest, alice: Browser
) -> None:
    console.tickets.close_ticket(1, "alice", "handed_back")
    response = alice.form_post("/api/tickets/1/reply", {"text": "hello?"})
    assert response.status_code == 409
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Ticket 1 is already handed back." in response.text
    assert console.rasa.actions() == []


def test_another_agents_ticket_is_refused(console: ConsoleUnderTest, alice: Browser) -> None:
    console.add_agent("bob", "Bob")
    assert console.browser("bob").api_post("/api/tickets/1/claim").status_code == 200
    for action, body in (
        ("claim", None),
        ("reply", {"text": "hi"}),
        ("hand-back", None),
        ("resolve", {"outcome": "x"}),
    ):
        response = alice.api_post(f"/api/tickets/1/{action}", body)
        assert response.status_code == 409 and "bob" in response.json()["error"], action
    assert console.rasa.actions() == [] and console.tickets.get(1).assigned_agent == "bob"


def test_the_forms_post_to_the_api_and_come_back_to_the_ticket(console: ConsoleUnderTest, alice: Browser) -> None:
    page = alice.get("/tickets/1").text
    for action in ("claim", "reply", "hand-back", "resolve"):
        assert f'action="/api/tickets/1/{action}"' in page
    assert '<label for="reply-text">' in page and '<label for="outcome">' in page
    claim = alice.form_post("/api/tickets/1/claim")
    assert (claim.status_code, claim.headers["Location"]) == (303, "/tickets/1")
    reply = alice.form_post("/api/tickets/1/reply", {"text": "On it."})
    assert (reply.status_code, reply.headers["Location"]) == (303, "/tickets/1")
    resolve = alice.form_post("/api/tickets/1/resolve", {"outcome": "Sent a new one."})
    assert resolve.status_code == 303
    assert console.rasa.actions() == [("send_agent_message", "conv-1", "Alice Agent", "On it."), ("resume", "conv-1")]
    assert "This ticket is resolved" in alice.get("/tickets/1").text


def test_an_unknown_ticket_is_a_404(console: ConsoleUnderTest, alice: Browser) -> None:
    assert alice.get("/tickets/99").status_code == 404
    for path in ("/api/tickets/99", "/api/tickets/99/transcript"):
        response = alice.get(path)
        assert response.status_code == 404 and response.json()["error"] == "There is no ticket 99."
    assert alice.api_post("/api/tickets/99/claim").status_code == 404
    assert alice.form_post("/api/tickets/99/reply", {"text": "hi"}).status_code == 404


def test_rasa_being_down_is_a_message_not_a_crash(console: ConsoleUnderTest, alice: Browser) -> None:
    console.rasa.failure = "Cannot reach Rasa at http://rasa.invalid: is it running?"
    page = alice.get("/tickets/1")
    assert page.status_code == 200 and "Cannot reach Rasa" in page.text
    transcript = alice.get("/api/tickets/1/transcript")
    assert transcript.status_code == 502 and "Cannot reach Rasa" in transcript.json()["error"]
    reply = alice.api_post("/api/tickets/1/reply", {"text": "hi"})
    assert reply.status_code == 502 and "Cannot reach Rasa" in reply.json()["error"]
    hand_back = alice.api_post("/api/tickets/1/hand-back")
    assert hand_back.status_code == 502
    assert "Ticket 1 is handed back, but the bot could not be told" in hand_back.json()["error"]
    form = alice.form_post("/api/tickets/1/claim")  # a form gets the page with the reason, not a 500
    assert form.status_code == 409 and "already handed back" in form.text


def test_a_trainer_reads_but_does_not_act(console: ConsoleUnderTest) -> None:
    console.add_agent("trina", "Trina Trainer", role="trainer")
    trainer = console.browser("trina")
    assert trainer.get("/").status_code == 200 and trainer.get("/issues").status_code == 200
    page = trainer.get("/tickets/1")
    assert page.status_code == 200 and "only agents take part" in page.text
    assert 'action="/api/tickets/1/reply"' not in page.text
    for action, body in (
        ("claim", None),
        ("reply", {"text": "hi"}),
        ("hand-back", None),
        ("resolve", {"outcome": "x"}),
    ):
        response = trainer.api_post(f"/api/tickets/1/{action}", body)
        assert response.status_code == 403, action
        assert "your role is trainer" in response.json()["error"]
    form = trainer.form_post("/api/tickets/1/reply", {"text": "hi"})
    assert form.status_code == 403
    assert console.rasa.actions() == [] and console.tickets.get(1).status == "waiting"
    assert trainer.get("/api/me").json()["can_act"] is False


def test_ticket_api_has_the_history_and_issue_log(console: ConsoleUnderTest, alice: Browser) -> None:
    earlier = console.open_ticket("conv-old", customer_email="dana@example.com")
    console.tickets.close_ticket(earlier.id, "alice", "resolved", "Replaced")
    IssueLog(console.settings.database_url).record(
        IssueEntry(conversation_id="conv-1", kind="complaint", category="damaged_item", paraphrase="Cracked lid")
    )
    detail = alice.get("/api/tickets/1").json()
    assert detail["ticket"]["id"] == 1
    assert [(t["id"], t["outcome"]) for t in detail["history"]] == [(earlier.id, "Replaced")]
    assert [entry["paraphrase"] for entry in detail["issues"]] == ["Cracked lid"]
    page = alice.get("/tickets/1").text
    assert "Cracked lid" in page and f'href="/tickets/{earlier.id}"' in page


def test_an_unexpected_error_is_a_plain_500_without_details(console: ConsoleUnderTest, alice: Browser) -> None:
    async def broken(conversation_id: str) -> list:
        raise RuntimeError("internal detail")

    console.rasa.transcript = broken  # type: ignore[assignment]
    for path, content_type in (("/api/tickets/1/transcript", "application/json"), ("/tickets/1", "text/html")):
        response = alice.get(path)
        assert response.status_code == 500
        assert response.headers["Content-Type"].startswith(content_type)
        assert "Something went wrong in the console" in response.text
        assert "internal detail" not in response.text and "Traceback" not in response.text
