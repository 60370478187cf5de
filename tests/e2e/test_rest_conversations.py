"""Chat with the real Rasa and action servers through the REST channel, as a website backend would."""

import uuid

import requests

from tests.e2e.conftest import Customer
from tools.servers import start_assistant


def test_greeting_asks_the_name_and_uses_it(customer):
    greeting = customer.says("hello")
    assert "Wren" in greeting and "May I ask your name?" in greeting
    assert "Nice to meet you, Marta!" in customer.says("Marta")


def test_introduction_in_the_greeting(customer):
    assert "Hi Kenji, nice to meet you!" in customer.says("hi, I'm Kenji")


PROOF = "e-mail address or the delivery postcode the order was placed with"


def test_shop_questions_are_answered_from_the_profile(customer):
    assert "Express: €9.95" in customer.says("what delivery options do you have?")
    assert "30 days" in customer.says("what is your return policy?")
    assert "+49 30 1234 5678" in customer.says("what's your customer service phone number?")


def test_track_order_asks_for_the_number_and_rejects_bad_ones(customer):
    assert "What's your order number" in customer.says("where is my package?")
    assert "6 digits" in customer.says("12345")
    assert PROOF in customer.says("999999")  # nothing said about the number before the proof
    assert "couldn't find an order with that number and those details" in customer.says("12059")
    assert PROOF in customer.says("109112")
    assert "on its way with DHL" in customer.says("12059")


def test_an_unknown_number_and_wrong_details_get_the_same_reply(customer):
    customer.says("where is order 999998")
    unknown = customer.says("priya.r@mailbox.example")
    customer.says("109112")
    wrong = customer.says("jane@example.com")
    assert unknown == wrong and "couldn't find an order with that number and those details" in wrong


def test_track_order_with_the_number_in_the_first_message(customer):
    assert PROOF in customer.says("can you track order 110348 for me")
    assert "out for delivery with Hermes" in customer.says("marta.k@mailbox.example")


def test_cancel_order_with_confirmation(customer):
    customer.says("I want to cancel my order")
    assert PROOF in customer.says("104587")
    question = customer.says("it's 20457")
    assert "Shall I cancel it?" in question
    assert "Done: order 104587 is cancelled" in customer.says("yes")
    assert "was cancelled" in customer.says("where is my order 104587")


def test_cancel_order_declined_keeps_it(customer):
    customer.says("please cancel order 120455")
    assert "Shall I cancel it?" in customer.says("28195")
    assert "stays as it is" in customer.says("no")


def test_cancel_shipped_order_is_refused_politely(customer):
    customer.says("cancel order 118902")
    reply = customer.says("fatima.y@mailbox.example")
    assert "already left our warehouse" in reply and "Shall I cancel" not in reply


def test_change_shipping_address_before_shipping(customer):
    customer.says("I need to change the delivery address of my order")
    assert PROOF in customer.says("104233")
    assert "new delivery address" in customer.says("10969")
    assert "full address" in customer.says("Berlin")
    assert "will now be delivered to Kurfürstendamm 21, 10719 Berlin" in customer.says(
        "Kurfürstendamm 21, 10719 Berlin"
    )


def test_track_refund(customer):
    customer.says("has my refund been processed yet?")
    customer.says("113777")
    assert "€249.00" in customer.says("lukas.f@mailbox.example")


def test_customer_can_stop_a_form(customer):
    customer.says("where is my order")
    assert "stopped" in customer.says("no, never mind")


def test_shop_question_inside_a_form_is_answered_and_the_form_resumes(customer):
    customer.says("I want to track my order")
    reply = customer.say("how long does delivery usually take?")
    assert any("business days" in text for text in reply)
    assert "order number" in reply[-1]
    customer.says("109112")
    assert "on its way" in customer.says("12059")


def test_out_of_scope_request_is_declined_with_what_the_bot_can_do(customer):
    reply = customer.says("what's the capital of Mongolia?")
    assert "not something I can help with" in reply or "didn't quite understand" in reply
    assert "track an order" in reply


def test_bot_challenge(customer):
    assert "virtual assistant" in customer.says("am I talking to a real person?")


# Bad input: always a polite reply, never a server error.


def test_bad_messages_get_polite_replies(customer):
    for message in [
        "",
        "   ",
        "x" * 10_000,
        "🙂🙂🙂",
        "<script>alert('hi')</script>",
        "<img src=x onerror=alert(1)>",
        "¿Dónde está mi pedido?",
        "我的订单在哪里",
        "\x00\x01\x02 binary \ufffd",
        "'; DROP TABLE events; --",
    ]:
        # Each in a new conversation: two messages in a row the bot can't understand hand the chat to a person.
        sender = f"{customer.sender}-{uuid.uuid4().hex[:6]}"
        response = requests.post(
            customer.assistant.rest_webhook, json={"sender": sender, "message": message}, timeout=60
        )
        assert response.status_code == 200, (message[:30], response.status_code, response.text[:200])
        replies = response.json()
        assert replies and all(reply.get("text") for reply in replies), (message[:30], replies)


def test_bad_input_while_the_bot_asks_for_an_email_address(customer):
    customer.says("can I speak to a human")  # nobody is at the console in these tests: the bot asks for an address
    assert "too long for me" in customer.says("x" * 10_000)  # over the cap: refused before anything reads it
    for message in ["x" * 4_000, "<img src=x onerror=alert(1)>", "🙂🙂🙂"]:
        assert "doesn't look like an e-mail address" in customer.says(message)
    assert "by e-mail to ana@example.com" in customer.says("ana@example.com")
    assert customer.say("hello?") == []  # handed over: the bot is paused until an agent hands the chat back


def test_malformed_requests_are_client_errors(assistant):
    for body, headers in [
        (b"{not json", {"Content-Type": "application/json"}),
        (b"\xff\xfe\x00garbage", {"Content-Type": "application/json"}),
        (b"[]", {"Content-Type": "application/json"}),
        (b'"just a string"', {"Content-Type": "application/json"}),
        (b'{"sender": "x", "message": 42}', {"Content-Type": "application/json"}),
        (b'{"sender": ["x"], "message": "hi"}', {"Content-Type": "application/json"}),
        (b'{"sender": "x", "message": "hi", "metadata": "nope"}', {"Content-Type": "application/json"}),
        (b'{"sender": "\\udcff", "message": "hi"}', {"Content-Type": "application/json"}),
    ]:
        response = requests.post(assistant.rest_webhook, data=body, headers=headers, timeout=30)
        assert response.status_code == 400, (body[:40], response.status_code)
    oversized = ('{"sender": "x", "message": "%s"}' % ("a" * 70_000)).encode()
    response = requests.post(
        assistant.rest_webhook, data=oversized, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 413  # refused before it is parsed


def test_http_api_requires_the_token(assistant, customer):
    customer.says("hi")
    url = f"{assistant.rasa_url}/conversations/{customer.sender}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(url, params={"token": assistant.api_token}, timeout=10).status_code == 200


def test_messages_are_parsed_by_the_nlu_worker(assistant, customer):
    """The servers run as `make run` starts them: the Rasa server has the NLU worker parse each message."""
    parsed_before = requests.get(f"{assistant.nlu_url}/status", timeout=10).json()["messages_parsed"]
    assert PROOF in customer.says("where is order 109112")
    assert "Express: €9.95" in customer.says("what delivery options do you have?")
    assert requests.get(f"{assistant.nlu_url}/status", timeout=10).json()["messages_parsed"] == parsed_before + 2
    assert requests.post(f"{assistant.nlu_url}/model/parse", json={"text": "hi"}, timeout=10).status_code == 401


def test_conversations_survive_a_restart(tmp_path):
    first = start_assistant(work_dir=tmp_path)
    try:
        customer = Customer(first)
        customer.says("hi, I'm Ingrid")
        customer.says("where is order 109112")
    finally:
        first.stop()
    second = start_assistant(work_dir=tmp_path)
    try:
        tracker = requests.get(
            f"{second.rasa_url}/conversations/{customer.sender}/tracker",
            params={"token": second.api_token},
            timeout=10,
        ).json()
        said = [event.get("text") for event in tracker["events"] if event["event"] == "user"]
        assert said == ["hi, I'm Ingrid", "where is order 109112"]
        assert tracker["slots"]["customer_name"] == "Ingrid"
    finally:
        second.stop()
