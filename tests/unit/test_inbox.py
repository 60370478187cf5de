import hashlib
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, insert

from customer_care.inbox import (
    FLAGS,
    LABEL_KINDS,
    ApprovedExample,
    Inbox,
    InboxError,
    InboxMessage,
    group_key,
)

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)


class FakeBroker:
    """The `events` table as Rasa's SQLEventBroker declares and fills it: one json.dumps'ed event per row."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = create_engine(f"sqlite:///{path}", future=True)
        self.table = Table(
            "events",
            MetaData(),
            Column("id", Integer, primary_key=True),
            Column("sender_id", String(255)),
            Column("data", Text),
        )
        self.table.metadata.create_all(self.engine)

    def publish(self, event: Dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(self.table).values(sender_id=event.get("sender_id"), data=json.dumps(event)))

    def user(
        self,
        conversation: str,
        text: str,
        intent: Optional[str],
        confidence: Optional[float],
        minute: float,
        entities: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        parse_data = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence} if intent else {},
            "entities": entities or [],
            "intent_ranking": [{"name": intent, "confidence": confidence}] if intent else [],
            "message_id": f"m-{conversation}-{minute}",
            "metadata": {},
        }
        self.publish(
            {
                "event": "user",
                "timestamp": _stamp(minute),
                "sender_id": conversation,
                "text": text,
                "parse_data": parse_data,
                "input_channel": "socketio",
                "message_id": parse_data["message_id"],
                "metadata": {},
            }
        )

    def action(self, conversation: str, name: str, minute: float) -> None:
        self.publish(
            {
                "event": "action",
                "timestamp": _stamp(minute),
                "sender_id": conversation,
                "name": name,
                "policy": "RulePolicy",
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )

    def bot(self, conversation: str, text: str, minute: float) -> None:
        self.publish(
            {
                "event": "bot",
                "timestamp": _stamp(minute),
                "sender_id": conversation,
                "text": text,
                "data": {},
                "metadata": {"utter_action": "utter_x"},
            }
        )

    def slot(self, conversation: str, name: str, value: Any, minute: float) -> None:
        self.publish(
            {"event": "slot", "timestamp": _stamp(minute), "sender_id": conversation, "name": name, "value": value}
        )

    def close(self) -> None:
        self.engine.dispose()


def _stamp(minute: float) -> float:
    return (T0 + timedelta(minutes=minute)).timestamp()


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def order_entity(text: str, number: str) -> Dict[str, Any]:
    start = text.index(number)
    return {
        "entity": "order_number",
        "value": number,
        "start": start,
        "end": start + len(number),
        "extractor": "RegexEntityExtractor",
        "processors": [],
    }


def seed_conversations(broker: FakeBroker) -> None:
    # A greeting, with a button payload before it.
    broker.action("c-greet", "action_session_start", 0)
    broker.user("c-greet", "/greet", "greet", 1.0, 0.1)
    broker.user("c-greet", "hello there", "greet", 0.98, 0.2)
    broker.bot("c-greet", "Hi! How can I help?", 0.3)
    broker.user("c-greet", "   ", None, None, 0.4)
    # Low confidence, a fallback, out of scope.
    broker.user("c-low", "wheres my parcel gone", "track_order", 0.41, 1)
    broker.user("c-fallback", "do you do gift wrapping", "nlu_fallback", 0.35, 2)
    broker.user("c-oos", "what's the weather in Leeds", "out_of_scope", 0.93, 3)
    # A complaint whose paraphrase the customer denied.
    broker.user("c-complaint", "I want to complain", "complaint", 0.97, 4)
    broker.action("c-complaint", "complaint_form", 4.1)
    broker.user("c-complaint", "the lid of my kettle is cracked", "complaint", 0.88, 5)
    broker.bot("c-complaint", "So your kettle arrived broken, is that right?", 5.1)
    broker.user("c-complaint", "no", "deny", 0.99, 6)
    broker.slot("c-complaint", "complaint_denials", 1.0, 6.1)
    # An escalation; what the customer says after the ticket is for the agent, not the bot.
    text = "Where is my order 123456?!"
    broker.user("c-escalate", text, "track_order", 0.95, 7, entities=[order_entity(text, "123456")])
    broker.user("c-escalate", "I want a human", "contact_human_agent", 0.97, 8)
    broker.action("c-escalate", "action_open_ticket", 8.1)
    broker.user("c-escalate", "thanks", "thank_you", 0.99, 9)
    # A near-duplicate of the escalated question, in another conversation.
    broker.user("c-dup", "where is my  order 654321", "track_order", 0.55, 10)
    # Personal data.
    broker.user("c-mail", "my email is jane.doe@example.com", "edit_account", 0.5, 11)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[FakeBroker]:
    fake = FakeBroker(tmp_path / "events.db")
    yield fake
    fake.close()


@pytest.fixture
def inbox(tmp_path: Path, broker: FakeBroker) -> Iterator[Inbox]:
    opened = Inbox(events_url=f"sqlite:///{broker.path}", database_url=f"sqlite:///{tmp_path / 'care.db'}")
    yield opened
    opened.close()


@pytest.fixture
def synced(inbox: Inbox, broker: FakeBroker) -> Inbox:
    seed_conversations(broker)
    inbox.sync()
    return inbox


def all_messages(inbox: Inbox) -> Dict[str, InboxMessage]:
    groups = inbox.groups(flagged_only=False, include_labelled=True)
    return {message.text: message for group in groups for message in group.messages}


def flags_of(inbox: Inbox, text: str) -> frozenset:
    return all_messages(inbox)[text].flags


# --- group_key ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second",
    [
        ("Where is my order 123456?!", "where is my  order 654321"),
        ("I'm waiting!!! 😡", "im waiting"),
        ("Ｃａｎｃｅｌ my order", "cancel my order"),  # full-width letters (NFKC)
        ("  refund\tplease ", "Refund please."),
        ("order #104233", "ORDER 999999"),
    ],
)
def test_near_duplicates_share_a_group_key(first: str, second: str) -> None:
    assert group_key(first) == group_key(second)


@pytest.mark.parametrize(
    "first, second",
    [("where is my order", "where is my refund"), ("order 12345", "order 123456"), ("no", "now")],
)
def test_different_wordings_get_different_keys(first: str, second: str) -> None:
    assert group_key(first) != group_key(second)


def test_group_key_output() -> None:
    assert group_key("Where is my order 123456?!") == "where is my order 000000"
    assert group_key("👍🏽️ !!") == ""


# --- Sync ---------------------------------------------------------------------------------------------------


def test_sync_stores_customer_messages_but_not_payloads_blank_texts_or_bot_turns(
    inbox: Inbox, broker: FakeBroker
) -> None:
    seed_conversations(broker)

    assert inbox.sync() == 12
    texts = set(all_messages(inbox))
    assert "/greet" not in texts
    assert "hello there" in texts
    assert "Hi! How can I help?" not in texts
    assert not any(not text.strip() for text in texts)


def test_sync_twice_adds_nothing_and_new_rows_are_picked_up(inbox: Inbox, broker: FakeBroker) -> None:
    seed_conversations(broker)
    assert inbox.sync() == 12
    assert inbox.sync() == 0
    assert len(all_messages(inbox)) == 12

    broker.user("c-later", "can I pay with paypal", "check_payment_methods", 0.9, 30)
    broker.user("c-later", "/affirm", "affirm", 1.0, 31)

    assert inbox.sync() == 1
    assert inbox.sync() == 0
    assert "can I pay with paypal" in all_messages(inbox)


def test_a_second_inbox_on_the_same_database_shares_the_cursor(
    tmp_path: Path, inbox: Inbox, broker: FakeBroker
) -> None:
    seed_conversations(broker)
    inbox.sync()
    other = Inbox(events_url=f"sqlite:///{broker.path}", database_url=f"sqlite:///{tmp_path / 'care.db'}")
    try:
        assert other.sync() == 0
        assert len(all_messages(other)) == 12
    finally:
        other.close()


def test_sync_reads_more_rows_than_one_batch(inbox: Inbox, broker: FakeBroker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("customer_care.inbox_sync.SYNC_BATCH", 3)
    for number in range(10):
        broker.user(f"c-{number}", f"question number {'x' * number}", "faq", 0.9, number)

    assert inbox.sync() == 10
    assert inbox.sync() == 0


def test_missing_events_database_syncs_nothing_and_is_not_created(tmp_path: Path) -> None:
    events_path = tmp_path / "not-yet" / "events.db"
    inbox = Inbox(events_url=f"sqlite:///{events_path}", database_url=f"sqlite:///{tmp_path / 'care.db'}")
    try:
        assert inbox.sync() == 0
        assert not events_path.exists()
        assert inbox.groups(flagged_only=False) == []

        events_path.parent.mkdir()
        sqlite3.connect(events_path).close()  # the file exists, the broker has not made its table yet
        assert inbox.sync() == 0

        broker = FakeBroker(events_path)
        broker.user("c-1", "hello", "greet", 0.99, 0)
        broker.close()
        assert inbox.sync() == 1
    finally:
        inbox.close()


def test_sync_never_writes_to_the_events_database(inbox: Inbox, broker: FakeBroker) -> None:
    seed_conversations(broker)
    broker.close()
    before = hashlib.sha256(broker.path.read_bytes()).hexdigest()

    inbox.sync()

    assert hashlib.sha256(broker.path.read_bytes()).hexdigest() == before
    tables = sqlite3.connect(broker.path).execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == [("events",)]


def test_unreadable_rows_are_skipped(inbox: Inbox, broker: FakeBroker) -> None:
    with broker.engine.begin() as connection:
        connection.execute(insert(broker.table).values(sender_id="c-x", data="not json"))
        connection.execute(insert(broker.table).values(sender_id="c-x", data="[1, 2]"))
    broker.user("c-x", "hello", "greet", 0.99, 0)

    assert inbox.sync() == 1


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


# --- Stored data --------------------------------------------------------------------------------------------


def test_messages_are_stored_masked_with_times_and_entities(synced: Inbox) -> None:
    messages = all_messages(synced)
    assert "my email is jane.doe@example.com" not in messages
    mail = messages["my email is [email]"]
    assert mail.conversation_id == "c-mail"
    assert mail.intent == "edit_account" and mail.confidence == pytest.approx(0.5)

    order = messages["Where is my order 123456?!"]
    assert order.sent_at == at(7) and order.sent_at.tzinfo is not None
    assert order.entities == [{"entity": "order_number", "value": "123456", "start": 18, "end": 24}]
    assert order.group_key == "where is my order 000000"


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
