"""Labelling the inbox's groups for training: the kinds of label and their checks (intent names, entities against
the text), labelling again or not at all, the approved examples they give, and the customer's own answer to a
clarifying question."""

from typing import Optional

import pytest

from customer_care.inbox import FLAGS, LABEL_KINDS, ApprovedExample, Inbox, InboxError, group_key
from tests.unit.inbox_helpers import FakeBroker

# --- Labels -------------------------------------------------------------------------------------------------

ORDER_KEY = "where is my order 000000"
GIFT_KEY = "do you do gift wrapping"
WEATHER_KEY = "whats the weather in leeds"


def test_label_in_bulk_and_labelled_groups_leave_the_default_view(synced: Inbox) -> None:
    assert synced.label([GIFT_KEY, "wheres my parcel gone"], "new_intent", reviewer="sam", intent="gift_wrapping") == 2

    assert GIFT_KEY not in {group.key for group in synced.groups()}
    labelled = {group.key: group for group in synced.groups(include_labelled=True)}
    label = labelled[GIFT_KEY].label
    assert label is not None
    assert (label.kind, label.intent, label.reviewer) == ("new_intent", "gift_wrapping", "sam")
    assert label.group_key == GIFT_KEY
    assert label.labelled_at.tzinfo is not None
    assert synced.group(GIFT_KEY).label == label  # type: ignore[union-attr]


def test_label_again_replaces_the_label(synced: Inbox) -> None:
    synced.label([GIFT_KEY], "intent", reviewer="sam", intent="place_order")
    synced.label([GIFT_KEY], "out_of_scope", reviewer="kim", intent="ignored_here")

    label = synced.group(GIFT_KEY).label  # type: ignore[union-attr]
    assert label is not None and (label.kind, label.intent, label.reviewer) == ("out_of_scope", None, "kim")


@pytest.mark.parametrize(
    "kind, intent, message",
    [
        ("maybe", "track_order", "unknown label"),
        ("intent", None, "intent name"),
        ("intent", "Track Order", "intent name"),
        ("new_intent", "x", "intent name"),
        ("new_intent", "a" * 51, "intent name"),
        ("intent", "nlu_fallback", "does not understand"),
    ],
)
def test_label_validation(synced: Inbox, kind: str, intent: Optional[str], message: str) -> None:
    with pytest.raises(InboxError, match=message):
        synced.label([GIFT_KEY], kind, reviewer="sam", intent=intent)
    assert synced.group(GIFT_KEY).label is None  # type: ignore[union-attr]


def test_label_needs_known_keys_and_a_reviewer_and_is_all_or_nothing(synced: Inbox) -> None:
    with pytest.raises(InboxError, match="no messages"):
        synced.label([GIFT_KEY, "never said"], "discard", reviewer="sam")
    assert synced.group(GIFT_KEY).label is None  # type: ignore[union-attr]
    with pytest.raises(InboxError):
        synced.label([GIFT_KEY], "discard", reviewer="")
    with pytest.raises(InboxError):
        synced.label([], "discard", reviewer="sam")


def test_label_entities_are_checked_against_the_group_text(synced: Inbox) -> None:
    text = synced.group(ORDER_KEY).text  # type: ignore[union-attr]
    assert text == "Where is my order 123456?!"

    synced.label(
        [ORDER_KEY],
        "intent",
        reviewer="sam",
        intent="track_order",
        entities=[{"entity": "order_number", "value": "123456", "start": 18, "end": 24}],
    )
    assert synced.group(ORDER_KEY).label.entities == [  # type: ignore[union-attr]
        {"entity": "order_number", "value": "123456", "start": 18, "end": 24}
    ]

    bad = [
        [{"entity": "order_number", "value": "123456", "start": 18, "end": 40}],  # past the end
        [{"entity": "order_number", "value": "654321", "start": 18, "end": 24}],  # not the words there
        [{"entity": "order_number", "start": 24, "end": 18}],
        [{"entity": "order number", "start": 18, "end": 24}],  # not a name
        [{"entity": "a", "start": 0, "end": 5}, {"entity": "b", "start": 3, "end": 8}],  # overlapping
        "order_number",
    ]
    for entities in bad:
        with pytest.raises(InboxError):
            synced.label([ORDER_KEY], "intent", reviewer="sam", intent="track_order", entities=entities)  # type: ignore[arg-type]


def test_unlabel(synced: Inbox) -> None:
    synced.label([GIFT_KEY, WEATHER_KEY], "out_of_scope", reviewer="sam")

    assert synced.unlabel([GIFT_KEY, "never said"]) == 1
    assert synced.group(GIFT_KEY).label is None  # type: ignore[union-attr]
    assert synced.group(WEATHER_KEY).label is not None  # type: ignore[union-attr]
    assert synced.unlabel([]) == 0


def test_approved_examples(synced: Inbox) -> None:
    synced.label(
        [ORDER_KEY],
        "intent",
        reviewer="sam",
        intent="track_order",
        entities=[{"entity": "order_number", "value": "123456", "start": 18, "end": 24}],
    )
    synced.label([GIFT_KEY], "new_intent", reviewer="sam", intent="gift_wrapping")
    synced.label([WEATHER_KEY], "out_of_scope", reviewer="sam")
    synced.label(["hello there"], "discard", reviewer="sam")

    assert synced.approved_examples() == [
        ApprovedExample("do you do gift wrapping", "gift_wrapping", []),
        ApprovedExample("what's the weather in Leeds", "out_of_scope", []),
        ApprovedExample(
            "Where is my order 123456?!",
            "track_order",
            [{"entity": "order_number", "value": "123456", "start": 18, "end": 24}],
        ),
    ]


def test_approved_example_keeps_the_wording_that_was_labelled(synced: Inbox, broker: FakeBroker) -> None:
    synced.label(
        [ORDER_KEY],
        "intent",
        reviewer="sam",
        intent="track_order",
        entities=[{"entity": "order_number", "value": "123456", "start": 18, "end": 24}],
    )
    for minute in (20, 21):  # a wording now more frequent than the labelled one
        broker.user(f"c-{minute}", "where is my order 111111", "track_order", 0.9, minute)
    synced.sync()

    assert synced.group(ORDER_KEY).text == "where is my order 111111"  # type: ignore[union-attr]
    assert synced.approved_examples()[0].text == "Where is my order 123456?!"


def test_label_kinds_are_the_documented_ones() -> None:
    assert LABEL_KINDS == ("intent", "new_intent", "out_of_scope", "discard")
    assert FLAGS == ("low_confidence", "fallback", "escalated", "paraphrase_denied", "agent_marked")


def test_the_customers_answer_to_a_clarifying_question_is_kept_with_the_message(
    inbox: Inbox, broker: FakeBroker
) -> None:
    # Two customers the NLU could not decide on; each presses the intent they meant.
    broker.user("c-1", "what if I cancel", "nlu_fallback", 0.41, 1)
    broker.bot("c-1", "Just to be sure: do you want to cancel an order, or know what cancelling costs?", 1.1)
    broker.user("c-1", "/check_cancellation_fee", "check_cancellation_fee", 1.0, 2)
    broker.user("c-2", "What if I cancel?", "nlu_fallback", 0.39, 3)
    broker.user("c-2", "/check_cancellation_fee", "check_cancellation_fee", 1.0, 4)
    broker.user("c-2", "/cancel_order", "cancel_order", 1.0, 4.5)  # a second press: the first answer counts
    # "Something else", and a button pressed after a message that was understood, teach nothing.
    broker.user("c-3", "what if i cancel!!", "nlu_fallback", 0.4, 5)
    broker.user("c-3", "/deny", "deny", 1.0, 6)
    broker.user("c-4", "where is my order", "track_order", 0.97, 7)
    broker.user("c-4", "/cancel_order", "cancel_order", 1.0, 8)
    inbox.sync()

    [asked] = [group for group in inbox.groups() if group.key == group_key("what if I cancel")]
    assert asked.count == 3
    assert asked.customer_choices == {"check_cancellation_fee": 2}
    assert asked.predicted_intent == "nlu_fallback"
    understood = inbox.group(group_key("where is my order"))
    assert understood.customer_choices == {}
    assert all("/" not in message.text for group in inbox.groups(flagged_only=False) for message in group.messages)
