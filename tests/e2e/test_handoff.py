"""Escalation with the real servers: a customer on socket.io asks for a person, an agent answers from the
console, the bot stays silent while paused, and the hand-back brings the bot back with the rating question."""

import pytest

from tests.e2e.people import Agent, WidgetCustomer
from tools.servers import RunningAssistant, start_staffed_assistant


@pytest.fixture(scope="module")
def staffed(tmp_path_factory) -> RunningAssistant:
    """All servers and the console, with support open around the clock so an agent can be on duty."""
    running = start_staffed_assistant(tmp_path_factory.mktemp("staffed"))
    yield running
    running.stop()


def test_agent_takes_over_the_chat_and_hands_it_back(staffed):
    agent = Agent(staffed.console_url)
    customer = WidgetCustomer(staffed.rasa_url)
    try:
        customer.say("can I talk to a real person please")
        replies = customer.replies(until="connecting you")
        assert any("member of our team" in reply for reply in replies)

        [ticket] = [t for t in agent.tickets() if t["conversation_id"] == customer.conversation_id]
        assert ticket["status"] == "waiting" and ticket["reason"] == "customer_asked"
        assert ticket["priority"] == "normal" and "real person" in ticket["summary"]

        agent.act(ticket["id"], "claim")
        agent.act(ticket["id"], "reply", text="Hello, I'm Sam. How can I help?")
        assert (
            customer.replies(until="Hello, I'm Sam")[-1] == "Sam Lee (customer care): Hello, I'm Sam. How can I help?"
        )

        # Paused: the bot says nothing, but the agent sees the message.
        customer.say("my parcel never came")
        assert customer.silence(4) == []
        lines = agent.transcript(ticket["id"])
        assert {"sender": "customer", "text": "my parcel never came"}.items() <= lines[-1].items()
        assert any(line["sender"] == "agent" and line.get("agent_name") == "Sam Lee" for line in lines)

        agent.act(ticket["id"], "hand-back")
        back = customer.replies(until="How would you rate this chat")
        assert any("handed this chat back to me" in reply for reply in back)
        assert all(t["id"] != ticket["id"] for t in agent.tickets())

        customer.say("5")
        assert customer.replies(until="anything you'd like to add")
        customer.say("no")
        assert customer.replies(until="rating this chat 5 out of 5")
        customer.say("what payment methods do you accept?")
        assert customer.replies(until="PayPal")
    finally:
        customer.close()


def test_a_script_message_reaches_the_console_as_text(staffed):
    agent = Agent(staffed.console_url)
    customer = WidgetCustomer(staffed.rasa_url)
    try:
        customer.say("I need a human")
        customer.replies(until="connecting you")
        customer.say("<script>alert(1)</script>")
        customer.silence(2)
        [ticket] = [t for t in agent.tickets() if t["conversation_id"] == customer.conversation_id]
        page = agent.http.get(f"{staffed.console_url}/tickets/{ticket['id']}", timeout=10).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
        agent.act(ticket["id"], "resolve", outcome="Explained our returns policy")
        assert all(t["id"] != ticket["id"] for t in agent.tickets())
    finally:
        customer.close()
