"""The inbox's intake: the group key that brings near-duplicate wordings together, syncing the customers'
messages from Rasa's event broker (once each, in batches, never writing to it), and what is stored of each.
(test_nlu_export imports FakeBroker through this module.)"""

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import insert

from customer_care.inbox import Inbox, group_key
from tests.unit.inbox_helpers import FakeBroker, all_messages, at, seed_conversations

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
