"""The inbox's groups of near-duplicate messages: their wording, intent, confidence and flags, their order, and
the filters by flag, intent and period."""

import pytest

from customer_care.inbox import FLAGS, Inbox, InboxError
from tests.unit.inbox_helpers import FakeBroker, at

# --- Groups -------------------------------------------------------------------------------------------------


def test_near_duplicates_form_one_group(synced: Inbox) -> None:
    group = synced.group("where is my order 000000")

    assert group is not None
    assert group.count == 2
    assert [message.text for message in group.messages] == ["where is my  order 654321", "Where is my order 123456?!"]
    assert group.text == "Where is my order 123456?!"  # one each: the earliest wording
    assert group.predicted_intent == "track_order"
    assert group.min_confidence == pytest.approx(0.55)
    assert group.flags == {"escalated", "low_confidence"}
    assert group.last_seen == at(10)
    assert group.label is None


def test_group_text_is_the_most_frequent_wording(inbox: Inbox, broker: FakeBroker) -> None:
    broker.user("c-1", "Cancel my order", "cancel_order", 0.5, 0)
    broker.user("c-2", "cancel my order!", "cancel_order", 0.5, 1)
    broker.user("c-3", "cancel my order!", "change_order", 0.5, 2)
    inbox.sync()

    group = inbox.group("cancel my order")
    assert group is not None and group.text == "cancel my order!"
    assert group.count == 3
    assert group.predicted_intent == "cancel_order"


def test_unknown_group_is_none(synced: Inbox) -> None:
    assert synced.group("nobody said this") is None


def test_groups_are_ordered_by_count_then_last_seen(synced: Inbox) -> None:
    groups = synced.groups()

    assert groups[0].key == "where is my order 000000"
    assert [group.text for group in groups[1:]] == [
        "my email is [email]",  # minute 11
        "I want a human",  # minute 8
        "the lid of my kettle is cracked",  # 5
        "what's the weather in Leeds",  # 3
        "do you do gift wrapping",  # 2
        "wheres my parcel gone",  # 1
    ]


def test_flagged_only_keeps_groups_with_a_flag(synced: Inbox) -> None:
    flagged = {group.text for group in synced.groups()}
    everything = {group.text for group in synced.groups(flagged_only=False)}

    assert "hello there" not in flagged and "thanks" not in flagged
    assert {"hello there", "thanks", "no", "I want to complain"} <= everything
    assert len(everything) == 11


def test_filter_by_flag(synced: Inbox) -> None:
    fallback = synced.groups(flag="fallback")
    assert [group.text for group in fallback] == ["what's the weather in Leeds", "do you do gift wrapping"]

    escalated = synced.groups(flag="escalated")
    order = next(group for group in escalated if group.key == "where is my order 000000")
    assert order.count == 1  # filters apply to messages: the near-duplicate was not escalated

    for flag in FLAGS:
        assert all(flag in group.flags for group in synced.groups(flag=flag))


def test_filter_by_intent(synced: Inbox) -> None:
    groups = synced.groups(intent="track_order", flagged_only=False)

    assert [(group.text, group.count) for group in groups] == [
        ("Where is my order 123456?!", 2),
        ("wheres my parcel gone", 1),
    ]


def test_filter_by_period_is_half_open(synced: Inbox) -> None:
    groups = synced.groups(since=at(3), until=at(7), flagged_only=False)

    assert {group.text for group in groups} == {
        "what's the weather in Leeds",
        "I want to complain",
        "the lid of my kettle is cracked",
        "no",
    }


def test_limit(synced: Inbox) -> None:
    assert len(synced.groups(limit=2)) == 2
    with pytest.raises(InboxError):
        synced.groups(limit=0)


def test_unknown_flag_is_an_error(synced: Inbox) -> None:
    with pytest.raises(InboxError, match="unknown flag"):
        synced.groups(flag="angry")
    assert issubclass(InboxError, ValueError)
