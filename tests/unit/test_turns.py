"""A turn that fails in a channel: the customer is asked to send the message again, the log says why."""

import asyncio
import logging

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError

from connectors.limits import UNAVAILABLE
from connectors.turns import run_turn_or_apologise


def message() -> UserMessage:
    return UserMessage("do you take paypal", CollectingOutputChannel(), "conversation-7", input_channel="rest")


def test_a_failing_turn_gets_the_apology_and_a_logged_cause(caplog: pytest.LogCaptureFixture) -> None:
    async def fails(_: UserMessage) -> None:
        raise LockError("The lock store (Redis) can't be reached: connection refused")

    sent = message()
    with caplog.at_level(logging.ERROR, logger="connectors.turns"):
        asyncio.run(run_turn_or_apologise(fails, sent))
    assert [reply["text"] for reply in sent.output_channel.messages] == [UNAVAILABLE]
    assert "conversation-7" in caplog.text and "LockError" in caplog.text and "connection refused" in caplog.text


def test_a_turn_that_works_gets_no_apology() -> None:
    async def answers(received: UserMessage) -> None:
        await received.output_channel.send_text_message(received.sender_id, "We accept PayPal.")

    sent = message()
    asyncio.run(run_turn_or_apologise(answers, sent))
    assert [reply["text"] for reply in sent.output_channel.messages] == ["We accept PayPal."]


def test_the_apology_can_go_another_way() -> None:
    said = []

    async def fails(_: UserMessage) -> None:
        raise RuntimeError("the tracker store is down")

    async def to_socket(text: str) -> None:
        said.append(text)

    sent = message()
    asyncio.run(run_turn_or_apologise(fails, sent, to_socket))
    assert said == [UNAVAILABLE] and sent.output_channel.messages == []


def test_a_cancelled_turn_is_no_failure() -> None:
    async def cancelled(_: UserMessage) -> None:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(run_turn_or_apologise(cancelled, message()))
