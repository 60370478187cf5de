"""What must hold when a conversation is served by more than one process: agent replies reach the customer's
socket whichever Rasa process sends them, one conversation's turns never interleave, and one ticket has one
owner however many consoles are asked at once."""

from concurrent.futures import ThreadPoolExecutor
from typing import List

import requests

from customer_care.agents import AgentDirectory
from tests.e2e.conftest import ConsoleUser
from tests.e2e.people import Agent, WidgetCustomer
from tests.scaled.conftest import ScaledUnderTest


def test_an_agent_reply_sent_through_process_2_reaches_a_socket_on_process_1(scaled: ScaledUnderTest) -> None:
    agent = Agent(scaled.second_console_url)  # this console talks to Rasa process 2 only
    customer = WidgetCustomer(scaled.assistant.instance_url(1))
    try:
        customer.say("can I talk to a real person please")
        assert any("member of our team" in reply for reply in customer.replies(until="connecting you"))
        [ticket] = [t for t in agent.tickets() if t["conversation_id"] == customer.conversation_id]

        agent.act(ticket["id"], "claim")
        agent.act(ticket["id"], "reply", text="Hello, I'm Sam, from another process.")
        assert customer.replies(until="from another process")[-1].endswith("Hello, I'm Sam, from another process.")

        agent.act(ticket["id"], "hand-back")  # the bot-back message and the rating question, also from process 2
        back = customer.replies(until="How would you rate this chat")
        assert any("handed this chat back to me" in reply for reply in back)
        customer.say("5")
        assert customer.replies(until="anything you'd like to add")
    finally:
        customer.close()


def test_twenty_messages_at_once_through_both_processes_make_twenty_whole_turns(scaled: ScaledUnderTest) -> None:
    conversation_id = "concurrent-one-conversation"
    texts = [f"what payment methods do you accept? ({number})" for number in range(20)]

    def send(number: int) -> int:
        instance = number % 2 + 1
        response = requests.post(
            f"{scaled.assistant.instance_url(instance)}/webhooks/rest/webhook",
            json={"sender": conversation_id, "message": texts[number]},
            timeout=120,
        )
        return response.status_code

    with ThreadPoolExecutor(20) as pool:
        assert list(pool.map(send, range(20))) == [200] * 20

    events = scaled.events(conversation_id, instance=2)
    said: List[str] = [event["text"] for event in events if event["event"] == "user"]
    assert sorted(said) == sorted(texts)  # each message stored once
    stamps = [event["timestamp"] for event in events]
    assert stamps == sorted(stamps)  # in order
    # Whole turns: after each message the bot answers and listens before the next message is taken in.
    turns = [event for event in events if event["event"] in ("user", "bot", "action")]
    for before, after in zip(turns, turns[1:], strict=False):
        if after["event"] == "user":
            assert before["event"] == "action" and before["name"] == "action_listen", (before, after)
    bot_texts = [event["text"] for event in events if event["event"] == "bot"]
    assert sum("PayPal" in text for text in bot_texts) == 20


def test_ten_claims_at_once_on_two_consoles_make_one_owner(scaled: ScaledUnderTest) -> None:
    directory = AgentDirectory(scaled.assistant.care_database_url)
    names = [f"claimer{number}" for number in range(10)]
    for name in names:
        directory.add(name, f"Claimer {name[-1]}", "a long enough password")
    directory.engine.dispose()
    consoles = [scaled.console_url, scaled.second_console_url]
    agents = [ConsoleUser(consoles[number % 2], name, "a long enough password") for number, name in enumerate(names)]

    customer = requests.post(
        f"{scaled.assistant.url}/webhooks/rest/webhook",
        json={"sender": "wants-a-person", "message": "can I talk to a real person please"},
        timeout=60,
    )
    assert customer.ok
    queue = agents[0].http.get(f"{agents[0].url}/api/tickets", timeout=10).json()["tickets"]
    [ticket] = [t for t in queue if t["conversation_id"] == "wants-a-person"]

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda agent: agent.post(f"/api/tickets/{ticket['id']}/claim", {}), agents))
    winners = [name for name, answer in zip(names, answers, strict=True) if answer.status_code == 200]
    assert len(winners) == 1, [answer.status_code for answer in answers]
    assert sorted(answer.status_code for answer in answers) == [200] + [409] * 9
    owner = agents[0].http.get(f"{agents[0].url}/api/tickets/{ticket['id']}", timeout=10).json()
    assert owner["ticket"]["assigned_agent"] == winners[0]
