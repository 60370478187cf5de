"""Why a message is in the inbox: the flags sync gives it (low confidence, fallback, escalated, paraphrase
denied), and the agents' marks of a message the bot misunderstood, before or after it is synced."""

from datetime import timedelta
from pathlib import Path

import pytest

from customer_care.inbox import Inbox, InboxError
from tests.unit.inbox_helpers import FakeBroker, at, flags_of, seed_conversations

# --- Flags --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hello there", set()),
        ("wheres my parcel gone", {"low_confidence"}),
        ("do you do gift wrapping", {"fallback", "low_confidence"}),
        ("what's the weather in Leeds", {"fallback"}),
        ("I want to complain", set()),
        ("the lid of my kettle is cracked", {"paraphrase_denied"}),
        ("no", set()),
        ("Where is my order 123456?!", {"escalated"}),
        ("I want a human", {"escalated"}),
        ("thanks", set()),
        ("where is my  order 654321", {"low_confidence"}),
        ("my email is [email]", {"low_confidence"}),
    ],
)
def test_flags(synced: Inbox, text: str, expected: set) -> None:
    assert flags_of(synced, text) == expected


def test_low_confidence_threshold_is_configurable(tmp_path: Path, broker: FakeBroker) -> None:
    seed_conversations(broker)
    inbox = Inbox(
        events_url=f"sqlite:///{broker.path}", database_url=f"sqlite:///{tmp_path / 'care.db'}", low_confidence=0.9
    )
    try:
        inbox.sync()
        assert "low_confidence" in flags_of(inbox, "the lid of my kettle is cracked")  # 0.88
        assert "low_confidence" not in flags_of(inbox, "what's the weather in Leeds")  # 0.93
    finally:
        inbox.close()


def test_escalation_in_a_later_sync_flags_messages_stored_before(inbox: Inbox, broker: FakeBroker) -> None:
    broker.user("c-late", "my refund never came", "track_refund", 0.9, 0)
    inbox.sync()
    assert flags_of(inbox, "my refund never came") == set()

    broker.action("c-late", "action_open_ticket", 1)
    broker.user("c-other", "hello", "greet", 0.99, 2)
    inbox.sync()

    assert flags_of(inbox, "my refund never came") == {"escalated"}
    assert flags_of(inbox, "hello") == set()


def test_a_denial_counter_reset_flags_nothing(inbox: Inbox, broker: FakeBroker) -> None:
    broker.user("c-1", "my parcel is soaked", "complaint", 0.9, 0)
    broker.slot("c-1", "complaint_denials", 0, 1)
    broker.slot("c-1", "complaint_denials", None, 2)
    inbox.sync()

    assert flags_of(inbox, "my parcel is soaked") == set()


def test_a_second_denial_flags_the_correction(inbox: Inbox, broker: FakeBroker) -> None:
    broker.user("c-1", "the box was wet", "complaint", 0.9, 0)
    broker.user("c-1", "nope", "deny", 0.9, 1)
    broker.slot("c-1", "complaint_denials", 1.0, 1.1)
    broker.user("c-1", "no, the shoes inside were soaked", "complaint", 0.7, 2)
    broker.slot("c-1", "complaint_denials", 2.0, 2.1)
    inbox.sync()

    assert flags_of(inbox, "the box was wet") == {"paraphrase_denied"}
    assert flags_of(inbox, "no, the shoes inside were soaked") == {"paraphrase_denied"}
    assert flags_of(inbox, "nope") == set()


# --- Marks by agents ----------------------------------------------------------------------------------------


def test_mark_after_sync_flags_the_message(synced: Inbox) -> None:
    assert synced.mark_misunderstood("c-greet", "hello there", at(0.2), agent="maria") is True
    assert flags_of(synced, "hello there") == {"agent_marked"}
    assert [group.text for group in synced.groups(flag="agent_marked")] == ["hello there"]


def test_mark_before_sync_is_applied_when_the_message_arrives(inbox: Inbox, broker: FakeBroker) -> None:
    assert inbox.mark_misunderstood("c-greet", "hello there", at(0.2) + timedelta(seconds=2), agent="maria") is False
    assert inbox.mark_misunderstood("c-greet", "hello there", at(0.2) + timedelta(seconds=2), agent="maria") is False

    seed_conversations(broker)
    inbox.sync()

    assert flags_of(inbox, "hello there") == {"agent_marked"}
    assert flags_of(inbox, "thanks") == set()


def test_mark_matches_the_nearest_message_with_that_text(inbox: Inbox, broker: FakeBroker) -> None:
    broker.user("c-1", "refund", "get_refund", 0.9, 0)
    broker.user("c-1", "refund", "get_refund", 0.9, 3)
    inbox.sync()

    assert inbox.mark_misunderstood("c-1", "refund", at(2.5), agent="maria") is True

    group = inbox.group("refund")
    assert group is not None
    assert [sorted(message.flags) for message in group.messages] == [["agent_marked"], []]  # newest first


def test_mark_outside_five_minutes_or_other_conversation_does_not_match(synced: Inbox) -> None:
    assert synced.mark_misunderstood("c-greet", "hello there", at(0.2) + timedelta(minutes=6), "maria") is False
    assert synced.mark_misunderstood("c-other", "hello there", at(0.2), "maria") is False
    assert synced.mark_misunderstood("c-greet", "hello", at(0.2), "maria") is False
    synced.sync()
    assert flags_of(synced, "hello there") == set()


def test_mark_matches_the_masked_text(synced: Inbox) -> None:
    assert synced.mark_misunderstood("c-mail", "my email is jane.doe@example.com", at(11), agent="maria") is True
    assert "agent_marked" in flags_of(synced, "my email is [email]")


def test_mark_needs_its_fields(synced: Inbox) -> None:
    with pytest.raises(InboxError):
        synced.mark_misunderstood("c-greet", "hello there", at(0.2), agent=" ")
    with pytest.raises(InboxError):
        synced.mark_misunderstood("c-greet", "", at(0.2), agent="maria")
    with pytest.raises(InboxError):
        synced.mark_misunderstood("c-greet", "hello there", "yesterday", agent="maria")  # type: ignore[arg-type]
