"""Who may see and change an order (issue 14, "Anyone can read and change any order"), run as the action server
runs the forms, and the identity the channels pass on ("Page identity is trusted")."""

import time

import jwt
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import (
    ActionAskOrderNumber,
    ActionCancelOrder,
    ActionChangeShippingAddress,
    ActionTrackOrder,
    ActionTrackRefund,
    ValidateChangeAddressForm,
    ValidateTrackOrderForm,
)
from customer_care.identity import CustomerTokens, SessionTokens, VerifiedCustomer, trusted_metadata
from customer_care.order_access import LookupLimiter, OrderLookups, details_match
from customer_care.orders import OrderStatus
from customer_care.sample_orders import sample_orders
from tests.unit.conftest import make_tracker, run_form_validation
from tests.unit.domain_responses import said

KEY = "k" * 40
SARAH = VerifiedCustomer("cust-1", "sarah.becker@mailbox.example", "Sarah Becker")  # owns 104233
SECRETS_OF_109112 = (
    "Cordless stick vacuum",
    "DHL",
    "JD014600006281234561",
    "Priya",
    "Sonnenallee",
    "12059",
    "priya.r@mailbox.example",
    "219",
)


def form_turn(form, text, intent, slots, customer=None, sender="chat-1", metadata=None):
    """One customer message inside an order form: what the bot says and the slots the validation sets."""
    tracker = make_tracker(
        text,
        intent,
        slots=slots,
        active_loop=form.name().replace("validate_", ""),
        customer=customer,
        metadata=metadata,
    )
    tracker.sender_id = sender
    if slots.get("requested_slot"):
        tracker.events.append({"event": "slot", "name": "requested_slot", "value": slots["requested_slot"]})
    else:  # the number came with this message: Rasa extracted it just now, so the form validates it
        tracker.events.append({"event": "slot", "name": "order_number", "value": slots["order_number"]})
    return run_form_validation(form, tracker)


def asked_for_check(number="109112", **kwargs):
    return {"order_number": number, "requested_slot": "order_check", **kwargs}


# An anonymous customer


def test_an_order_number_alone_shows_nothing_and_asks_for_the_orders_email_or_postcode(backend):
    texts, slots = form_turn(
        ValidateTrackOrderForm(), "where is my order 109112", "track_order", {"order_number": "109112"}
    )
    assert texts == [] and slots == {"order_number": "109112"}  # the form asks order_check next (domain order)
    asked, _ = said(ActionAskOrderNumber(), make_tracker())
    assert "6 digits" in asked[0]


def test_tracking_without_proof_reveals_nothing_about_the_order(backend):
    """Failed on main: any 6-digit number in the order_number slot showed the order."""
    for action in (ActionTrackOrder(), ActionTrackRefund(), ActionCancelOrder(), ActionChangeShippingAddress()):
        texts, _ = said(
            action,
            make_tracker(
                slots={
                    "order_number": "109112",
                    "confirm_cancellation": True,
                    "shipping_address": "Am Wall 7, 28195 Bremen",
                }
            ),
        )
        assert not any(secret in " ".join(texts) for secret in SECRETS_OF_109112), texts
    assert backend.find_order("109112").shipping_address == "Sonnenallee 201, 12059 Berlin"


@pytest.mark.parametrize(
    "answer", ["priya.r@mailbox.example", "it's PRIYA.R@mailbox.example.", "12059", "postcode 12059 Berlin"]
)
def test_the_orders_email_or_postcode_opens_it(backend, answer):
    texts, slots = form_turn(ValidateTrackOrderForm(), answer, "nlu_fallback", asked_for_check())
    assert texts == []
    assert slots == {"order_check": None, "verified_orders": ["109112"], "requested_slot": None}
    tracked, _ = said(ActionTrackOrder(), make_tracker(slots={"order_number": "109112", **slots}))
    assert "on its way with DHL" in tracked[0]


def test_wrong_details_and_an_unknown_number_get_the_same_reply(backend):
    """Failed on main: "I couldn't find an order with the number X" told which numbers exist."""
    wrong, wrong_slots = form_turn(ValidateTrackOrderForm(), "guess@example.com", "nlu_fallback", asked_for_check())
    unknown, unknown_slots = form_turn(
        ValidateTrackOrderForm(), "guess@example.com", "nlu_fallback", asked_for_check("109113")
    )
    assert wrong == unknown and len(wrong) == 1 and "couldn't find an order with that number" in wrong[0]
    assert wrong_slots == unknown_slots == {"order_check": None, "order_number": None, "requested_slot": "order_number"}


@pytest.mark.parametrize(
    "answer, intent",
    [
        ("erm i dont remember which email i used tbh", "nlu_fallback"),
        ("no idea", "deny"),
        ("I forgot", "out_of_scope"),
        ("not sure, sorry", "nlu_fallback"),
    ],
)
def test_not_having_the_proof_to_hand_is_no_failed_attempt(backend, lookups, answer, intent):
    texts, slots = form_turn(ValidateTrackOrderForm(), answer, intent, asked_for_check())
    assert len(texts) == 1 and "postcode of the delivery address works just as well" in texts[0]
    assert slots == {"order_check": None}  # the number stays; the proof is asked again
    assert all(lookups.allowed(f"other-{n}", None) for n in range(8))  # nothing was counted


def test_asking_for_a_person_instead_of_the_proof_is_no_answer(backend):
    _, slots = form_turn(
        ValidateTrackOrderForm(), "no idea, can I talk to a person", "contact_human_agent", asked_for_check()
    )
    assert "order_check" not in slots


def test_a_new_order_number_while_the_proof_is_asked_is_no_proof(backend):
    _, slots = form_turn(
        ValidateTrackOrderForm(),
        "sorry, it's 104233",
        "track_order",
        asked_for_check(),
    )
    assert "order_check" not in slots


def test_changing_the_delivery_address_needs_the_proof_first(backend):
    texts, slots = form_turn(
        ValidateChangeAddressForm(),
        "change the address of 120455",
        "change_shipping_address",
        {"order_number": "120455"},
    )
    assert slots.get("requested_slot") == "order_check" and texts == []
    _, proved = form_turn(ValidateChangeAddressForm(), "28195", "nlu_fallback", asked_for_check("120455"))
    assert proved["verified_orders"] == ["120455"] and proved["requested_slot"] == "shipping_address"


@pytest.mark.parametrize(
    "answer, matches",
    [
        ("10969", True),
        ("10969 Berlin", True),
        ("sarah.becker@mailbox.example", True),
        ("109690", False),
        ("1096", False),
        ("sarah.becker@mailbox.example.com", False),
        ("", False),
        ("x" * 100_000 + " 10969", False),  # capped before it is read: a proof is short
    ],
)
def test_details_match_only_the_whole_email_or_postcode(answer, matches):
    order = next(o for o in sample_orders() if o.number == "104233")
    assert details_match(order, answer) is matches


def test_uk_style_postcodes_match_with_or_without_the_space():
    order = next(o for o in sample_orders() if o.number == "104233")
    from dataclasses import replace

    british = replace(order, postcode="SW1A 1AA")
    assert details_match(british, "sw1a 1aa") and details_match(british, "SW1A1AA")
    assert not details_match(british, "SW1A 1AB")


# A signed-in customer (verified token)


def test_a_signed_in_customer_sees_their_order_without_proof(backend):
    texts, slots = form_turn(
        ValidateTrackOrderForm(), "where is 104233", "track_order", {"order_number": "104233"}, customer=SARAH
    )
    assert texts == [] and slots == {"order_number": "104233", "requested_slot": None}
    tracked, _ = said(ActionTrackOrder(), make_tracker(slots={"order_number": "104233"}, customer=SARAH))
    assert "Electric kettle" in tracked[0]


def test_a_signed_in_customer_gets_the_unknown_reply_for_someone_elses_order(backend):
    theirs, _ = form_turn(ValidateTrackOrderForm(), "109112", "track_order", {"order_number": "109112"}, customer=SARAH)
    missing, _ = form_turn(
        ValidateTrackOrderForm(), "109113", "track_order", {"order_number": "109113"}, customer=SARAH
    )
    assert theirs == [m.replace("109113", "109112") for m in missing] and "in your account" in theirs[0]
    tracked, _ = said(ActionTrackOrder(), make_tracker(slots={"order_number": "109112"}, customer=SARAH))
    assert not any(secret in " ".join(tracked) for secret in SECRETS_OF_109112)


def test_a_signed_in_customer_picks_from_their_orders(backend):
    dispatcher = CollectingDispatcher()
    ActionAskOrderNumber().run(dispatcher, make_tracker(customer=SARAH), {})
    assert [button["payload"] for button in dispatcher.messages[0]["buttons"]] == ["104233"]


def test_a_name_or_email_the_page_claims_signs_nobody_in(backend):
    """Failed on main: customData.email was taken as the customer's address."""
    claimed = {
        "name": "Sarah Becker",
        "email": "sarah.becker@mailbox.example",
        "customer": {"id": "x", "email": "sarah.becker@mailbox.example"},
    }
    metadata = trusted_metadata(claimed, CustomerTokens(KEY))
    assert metadata == {}
    texts, slots = form_turn(
        ValidateTrackOrderForm(), "104233", "track_order", {"order_number": "104233"}, metadata=metadata
    )
    assert "requested_slot" not in slots  # the proof is still asked for (domain order)


# Limits


def test_lookups_are_limited_per_conversation(backend, lookups):
    replies = []
    for attempt in range(12):
        texts, slots = form_turn(
            ValidateTrackOrderForm(), f"guess{attempt}@example.com", "nlu_fallback", asked_for_check()
        )
        replies.append((texts, slots))
    refused_texts, refused_slots = replies[-1]
    assert "can't look up any more orders in this chat" in refused_texts[0]
    assert refused_slots["order_lookups_refused"] is True and refused_slots["requested_slot"] is None
    # Even the right answer is refused once the chat has used up its look-ups.
    texts, slots = form_turn(ValidateTrackOrderForm(), "12059", "nlu_fallback", asked_for_check())
    assert "verified_orders" not in slots
    final, events = said(ActionTrackOrder(), make_tracker(slots={"order_number": None, "order_lookups_refused": True}))
    assert final == [] and {"event": "slot", "name": "order_lookups_refused", "value": None} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


def test_failed_lookups_are_limited_per_client_address_across_conversations(backend):
    limits = OrderLookups(per_conversation=(100, 3600), failures_per_client=(5, 3600))
    assert all(limits.allowed(f"honest-{n}", "client-a") for n in range(50))  # successes don't count
    for n in range(5):
        assert limits.allowed(f"chat-{n}", "client-a")
        limits.failed("client-a")
    assert not limits.allowed("chat-new", "client-a")
    assert limits.allowed("chat-new", "client-b")


def test_a_guesser_on_one_address_is_stopped_whatever_the_conversation(backend, lookups):
    for attempt in range(25):
        texts, slots = form_turn(
            ValidateTrackOrderForm(),
            "guess@example.com",
            "nlu_fallback",
            asked_for_check(f"1{attempt:05d}"),
            sender=f"chat-{attempt}",
            metadata={"client": "same-address"},
        )
    assert slots.get("order_lookups_refused") is True


def test_the_limit_window_slides_and_memory_stays_bounded():
    now = [0.0]
    limiter = LookupLimiter(2, 60, max_keys=100, clock=lambda: now[0])
    assert limiter.allow(["a"]) and limiter.allow(["a"]) and not limiter.allow(["a"])
    now[0] = 61
    assert limiter.allow(["a"])
    for key in range(1_000):
        limiter.allow([f"k{key}"])
    assert len(limiter._attempts) <= 100


# Tokens


def test_the_shops_token_is_verified():
    tokens = CustomerTokens(KEY)
    token = tokens.sign(SARAH)
    assert tokens.verify(token) == SARAH
    assert trusted_metadata({"customer_token": token, "language": "en"}, tokens) == {
        "customer": SARAH.as_metadata(),
        "language": "en",
    }


@pytest.mark.parametrize(
    "make_token",
    [
        lambda: CustomerTokens("w" * 40).sign(SARAH),  # another key
        lambda: CustomerTokens(KEY).sign(SARAH, lifetime_seconds=-3600),  # expired
        lambda: CustomerTokens(KEY).sign(SARAH, lifetime_seconds=30 * 24 * 3600),  # claims to live a month
        lambda: jwt.encode({"sub": "x", "email": "a@b.co", "exp": time.time() + 60}, None, algorithm="none"),
        lambda: jwt.encode({"sub": "x", "exp": time.time() + 60}, KEY, algorithm="HS256"),  # no e-mail
        lambda: jwt.encode({"email": "a@b.co", "exp": time.time() + 60}, KEY, algorithm="HS256"),  # no subject
        lambda: jwt.encode({"sub": "x", "email": "a@b.co"}, KEY, algorithm="HS256"),  # no expiry
        lambda: "not.a.token",
        lambda: "x" * 100_000,
        lambda: 42,
        lambda: None,
    ],
)
def test_anything_but_a_valid_token_signs_nobody_in(make_token):
    assert CustomerTokens(KEY).verify(make_token()) is None


def test_a_short_key_is_refused():
    with pytest.raises(ValueError):
        CustomerTokens("short")


def test_session_tokens_name_a_conversation_the_server_chose():
    sessions = SessionTokens(KEY)
    session = sessions.issue()
    assert sessions.conversation_of(session.token) == session.conversation_id
    assert session.conversation_id.startswith("web-") and session.token != session.conversation_id
    # A conversation id (shown in the console) is no session, nor is another server's token.
    assert sessions.conversation_of(session.conversation_id) is None
    assert SessionTokens("z" * 40).conversation_of(session.token) is None
    assert sessions.conversation_of(SessionTokens(KEY, lifetime_seconds=-100).issue().token) is None


def test_oversized_or_odd_metadata_is_dropped_unread():
    tokens = CustomerTokens(KEY)
    assert trusted_metadata("{" * 100_000, tokens) == {}
    assert trusted_metadata('{"language": "en"}', tokens) == {"language": "en"}
    assert trusted_metadata({"language": "<script>"}, tokens) == {}
    assert trusted_metadata(["a"], tokens, client="c1") == {"client": "c1"}


def test_orders_lose_nothing_when_a_cancellation_is_not_proved(backend):
    said(ActionCancelOrder(), make_tracker(slots={"order_number": "104233", "confirm_cancellation": True}))
    assert backend.find_order("104233").status == OrderStatus.PROCESSING
