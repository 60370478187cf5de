"""The custom actions, run as the action server runs them, against a temporary order database."""

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (
    ActionAcknowledgeName,
    ActionAnswerShopQuestion,
    ActionGreet,
    ActionHandleUnrecognised,
    ValidateNameForm,
)
from actions.orders import (
    ActionAskConfirmCancellation,
    ActionCancelOrder,
    ActionChangeShippingAddress,
    ActionTrackOrder,
    ActionTrackRefund,
    ValidateCancelOrderForm,
    ValidateChangeAddressForm,
    ValidateTrackOrderForm,
)
from customer_care.answers import shop_facts
from customer_care.identity import VerifiedCustomer
from customer_care.orders import OrderStatus
from customer_care.replies import Reply
from tests.unit.conftest import active_loops, make_tracker, run_form_validation, slot_events
from tests.unit.domain_responses import as_reply, rendered, said, sent

# Conversation

CAPABILITIES = rendered(Reply("utter_capabilities"))


def test_greet_without_a_name_introduces_the_bot_and_asks_for_it():
    replies, events = sent(ActionGreet(), make_tracker("hi", "greet"))
    assert replies == [Reply("utter_introduce_assistant", {"assistant_name": "Wren", "shop_name": "Larkspur"})]
    assert rendered(replies[0]) == f"Hi! I'm Wren, Larkspur's virtual assistant. {CAPABILITIES}"
    # name_form asks "May I ask your name?" next, and reads the answer in whatever shape it comes
    assert slot_events(events) == {"asked_for_name": True, "name_declined": None, "requested_slot": None}
    assert active_loops(events) == ["name_form"]
    assert rendered(Reply("utter_ask_customer_name")) == "May I ask your name?"


def test_greet_asks_for_the_name_only_once():
    replies, events = sent(ActionGreet(), make_tracker("hello again", "greet", slots={"asked_for_name": True}))
    assert [reply.response for reply in replies] == ["utter_introduce_assistant", "utter_what_can_i_do"]
    assert rendered(replies[1]) == "What can I do for you?"
    assert events == []


def test_greet_uses_a_name_from_the_message():
    tracker = make_tracker("hi I'm sarah", "greet", entities=[{"entity": "customer_name", "value": "sarah"}])
    replies, events = sent(ActionGreet(), tracker)
    assert replies == [Reply("utter_greet_with_new_name", {"first_name": "Sarah"})]
    assert rendered(replies[0]) == f"Hi Sarah, nice to meet you! {CAPABILITIES} What can I do for you?"
    assert slot_events(events) == {"customer_name": "Sarah"}


def test_greet_welcomes_back_a_customer_whose_name_it_knows():
    replies, events = sent(ActionGreet(), make_tracker("hey", "greet", slots={"customer_name": "Tom Okafor"}))
    assert replies == [Reply("utter_welcome_back", {"first_name": "Tom"})] and events == []
    assert rendered(replies[0]) == "Hi Tom, welcome back! What can I do for you today?"


def test_greet_uses_the_name_in_the_shops_signed_token():
    tracker = make_tracker("/greet", "greet", customer=VerifiedCustomer("c-17", "ana@example.com", "Ana Lima"))
    replies, events = sent(ActionGreet(), tracker)
    assert replies == [
        Reply(
            "utter_greet_signed_in_customer", {"first_name": "Ana", "assistant_name": "Wren", "shop_name": "Larkspur"}
        )
    ]
    assert rendered(replies[0]) == (
        f"Hi Ana! I'm Wren, Larkspur's virtual assistant. {CAPABILITIES} What can I do for you?"
    )
    assert slot_events(events) == {"customer_name": "Ana Lima"}


@pytest.mark.parametrize("page", [None, {}, {"name": ""}, {"name": 42}, "not a mapping", {"name": "Ana Lima"}])
def test_greet_ignores_a_name_the_page_merely_claims(page):
    _, events = sent(
        ActionGreet(),
        make_tracker("/greet", "greet", slots={"session_started_metadata": page}, metadata={"name": "Ana Lima"}),
    )
    assert active_loops(events) == ["name_form"]


def test_shop_question_is_answered_from_the_profile(profile):
    replies, _ = sent(ActionAnswerShopQuestion(), make_tracker("how long do refunds take", "check_refund_policy"))
    assert replies == [Reply("utter_answer_check_refund_policy", shop_facts(profile))]
    assert "30 days" in rendered(replies[0])


def after_name_question(reply: str, intent: str = "nlu_fallback"):
    return make_tracker(reply, intent, slots={"requested_slot": "customer_name"}, active_loop="name_form")


def name_form_reads(reply: str, intent: str = "nlu_fallback"):
    """What validate_name_form takes from a reply: (slots it extracts, slots it still requires)."""
    form, tracker = ValidateNameForm(), after_name_question(reply, intent)
    extracted = {
        **form.extract_customer_name(CollectingDispatcher(), tracker, {}),
        **form.extract_name_declined(CollectingDispatcher(), tracker, {}),
    }
    required = asyncio.run(form.required_slots(["customer_name"], CollectingDispatcher(), tracker, {}))
    return extracted, required


@pytest.mark.parametrize(
    "reply, intent, name",
    [
        ("Priya", "nlu_fallback", "Priya"),
        # failure 1 (issue 13): these were "not understood" or answered as a request for contact details
        ("I'm Ana", "greet", "Ana"),
        ("I'm Ana", "nlu_fallback", "Ana"),
        ("call me Bob", "contact_customer_service", "Bob"),
        ("it's Priya Natarajan", "greet", "Priya Natarajan"),
        ("Ana here", "greet", "Ana"),
        ("this is Tom", "greet", "Tom"),
        ("name's Li", "greet", "Li"),
        ("my name is Ana Lima", "greet", "Ana Lima"),
    ],
)
def test_failure_1_names_in_the_usual_forms_answer_the_name_question(reply, intent, name):
    extracted, required = name_form_reads(reply, intent)
    assert extracted == {"customer_name": name} and required == ["customer_name"]


@pytest.mark.parametrize(
    "reply, intent",
    [
        ("I'd rather not say", "deny"),
        ("I'd rather not say", "nlu_fallback"),
        ("no thanks", "deny"),
        ("skip", "nlu_fallback"),
        ("no", "deny"),
        ("never mind", "deny"),
    ],
)
def test_failure_1_declining_the_name_question_ends_it_politely(reply, intent):
    extracted, required = name_form_reads(reply, intent)
    assert extracted == {"name_declined": True} and required == ["name_declined"]
    replies, events = sent(ActionAcknowledgeName(), make_tracker(slots={"name_declined": True}))
    assert replies == [Reply("utter_carry_on_without_a_name")]
    assert rendered(replies[0]) == "No problem at all. What can I do for you?"


@pytest.mark.parametrize(
    "reply, intent",
    [
        ("where is my order 109112?", "track_order"),
        ("do you accept paypal?", "check_payment_methods"),
        ("bye", "goodbye"),
        ("hello", "greet"),
        ("what's the weather in Paris", "out_of_scope"),
        ("Refund", "get_refund"),
        ("asdfgh jkl", "nlu_fallback"),
    ],
)
def test_a_request_after_the_name_question_is_no_name(reply, intent):
    # Nothing extracted: the form rejects the message and the rules answer it.
    assert name_form_reads(reply, intent) == ({}, ["customer_name"])


def test_a_name_is_acknowledged_by_its_first_name():
    replies, _ = sent(ActionAcknowledgeName(), make_tracker(slots={"customer_name": "Priya Natarajan"}))
    assert replies == [Reply("utter_nice_to_meet_you", {"first_name": "Priya"})]
    assert rendered(replies[0]) == "Nice to meet you, Priya! What can I do for you?"


def test_a_word_the_crf_tagged_is_kept_only_when_it_reads_as_a_name():
    form = ValidateNameForm()
    assert form.validate_customer_name("ana", CollectingDispatcher(), make_tracker(), {}) == {"customer_name": "Ana"}
    assert form.validate_customer_name("thanks", CollectingDispatcher(), make_tracker(), {}) == {"customer_name": None}


def test_unrecognised_message_later_is_not_taken_as_a_name():
    events = [
        {"event": "action", "name": "action_greet"},
        {"event": "user", "text": "where is my order"},
        {"event": "action", "name": "track_order_form"},
        {"event": "user", "text": "Priya"},
    ]
    replies, result = sent(ActionHandleUnrecognised(), make_tracker("Priya", "nlu_fallback", events=events))
    assert replies[0] == Reply("utter_not_understood") and result == []


@pytest.mark.parametrize(
    "intent, explanation, words",
    [
        ("out_of_scope", "utter_out_of_scope", "not something I can help with: I only know about our shop"),
        ("nlu_fallback", "utter_not_understood", "I didn't quite understand that"),
    ],
)
def test_unrecognised_messages_get_an_explanation_of_what_the_bot_can_do(intent, explanation, words, log):
    replies, _ = sent(ActionHandleUnrecognised(), make_tracker("what's the weather", intent))
    assert replies == [Reply(explanation), Reply("utter_capabilities")]
    assert words in rendered(replies[0])
    assert "track an order" in rendered(replies[1])
    [entry] = log.entries()
    assert (entry.kind, entry.raw_text) == ("fallback", "what's the weather")


def test_a_message_torn_between_two_shop_intents_gets_a_question_with_buttons(log):
    tracker = make_tracker(
        "what if I cancel 104233", "nlu_fallback", entities=[{"entity": "order_number", "value": "104233"}]
    )
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.9},
        {"name": "check_cancellation_fee", "confidence": 0.41},
        {"name": "cancel_order", "confidence": 0.38},
        {"name": "get_refund", "confidence": 0.08},
    ]
    dispatcher = CollectingDispatcher()
    assert ActionHandleUnrecognised().run(dispatcher, tracker, {}) == []
    [message] = dispatcher.messages
    question = as_reply(message)
    assert question == Reply(
        "utter_ask_which_request", {"first_choice": "know what cancelling costs", "second_choice": "cancel an order"}
    )
    assert rendered(question) == "Just to be sure: do you want to know what cancelling costs, or cancel an order?"
    assert [button["payload"] for button in message["buttons"]] == [
        '/check_cancellation_fee{"order_number": "104233"}',
        '/cancel_order{"order_number": "104233"}',
        "/deny",
    ]
    assert log.entries() == []  # asked, not failed: nothing for the issue log


# Order number validation (shared by all four forms)


def validate(form, value, slots=None):
    dispatcher = CollectingDispatcher()
    result = form.validate_order_number(value, dispatcher, make_tracker(str(value), slots=slots), {})
    return result, [as_reply(message) for message in dispatcher.messages]


def test_valid_order_number_is_normalised_and_nothing_is_said_about_it(backend):
    assert validate(ValidateTrackOrderForm(), "#104233") == ({"order_number": "104233"}, [])
    assert validate(ValidateTrackOrderForm(), "999999") == ({"order_number": "999999"}, [])


def test_wrong_length_is_explained_and_asked_again(backend):
    result, replies = validate(ValidateTrackOrderForm(), "12345")
    assert result == {"order_number": None} and replies == [Reply("utter_order_number_wrong_length", {"digits": 6})]


def test_unknown_order_of_a_signed_in_customer_is_handled_kindly(backend):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("999999", customer=VerifiedCustomer("c-1", "sarah.becker@mailbox.example"))
    result = ValidateCancelOrderForm().validate_order_number("999999", dispatcher, tracker, {})
    assert result == {"order_number": None}
    [reply] = [as_reply(message) for message in dispatcher.messages]
    assert reply.response == "utter_unknown_order_on_account" and reply.values["order_number"] == "999999"
    assert "couldn't find an order with the number 999999 in your account" in rendered(reply)


def required_slots(form, order_number):
    tracker = make_tracker(slots={"order_number": order_number, "verified_orders": [order_number]})
    domain_slots = (
        ["order_number", "confirm_cancellation"]
        if isinstance(form, ValidateCancelOrderForm)
        else ["order_number", "shipping_address"]
    )
    return asyncio.run(form.required_slots(domain_slots, CollectingDispatcher(), tracker, {}))


def test_cancel_form_asks_for_confirmation_only_when_cancellable(backend):
    assert required_slots(ValidateCancelOrderForm(), "104233") == ["order_number", "confirm_cancellation"]
    assert required_slots(ValidateCancelOrderForm(), "109112") == ["order_number"]


def test_address_form_asks_for_an_address_only_before_shipping(backend):
    assert required_slots(ValidateChangeAddressForm(), "104233") == ["order_number", "shipping_address"]
    assert required_slots(ValidateChangeAddressForm(), "111920") == ["order_number"]


@pytest.mark.parametrize(
    "address, valid",
    [
        ("Lindenstraße 12, 10969 Berlin", True),
        ("  Flat 2,   14 Baker Street,  London NW1 6XE ", True),
        ("Berlin", False),
        ("12345", False),
        ("<script>alert(1)</script> 12 Street", False),
        ("x" * 300 + " 1", False),
    ],
)
def test_shipping_address_validation(address, valid):
    dispatcher = CollectingDispatcher()
    result = ValidateChangeAddressForm().validate_shipping_address(address, dispatcher, make_tracker(address), {})
    if valid:
        assert result == {"shipping_address": " ".join(address.split())} and not dispatcher.messages
    else:
        assert result == {"shipping_address": None}
        assert [as_reply(message) for message in dispatcher.messages] == [Reply("utter_invalid_shipping_address")]


# Submit actions


def proved(number: str) -> dict:
    """The slots of a chat where the customer asked about `number` and proved it (e-mail or postcode)."""
    return {"order_number": number, "verified_orders": [number]}


def test_track_order(backend):
    texts, _ = said(ActionTrackOrder(), make_tracker(slots={**proved("109112")}))
    assert "on its way with DHL" in texts[0]


def test_track_refund(backend):
    texts, _ = said(ActionTrackRefund(), make_tracker(slots={**proved("115060")}))
    assert "approved" in texts[0]


def test_ask_confirm_cancellation_shows_the_order(backend):
    texts, _ = said(ActionAskConfirmCancellation(), make_tracker(slots={**proved("104587")}))
    assert "Linen duvet cover" in texts[0] and texts[0].endswith("Shall I cancel it?")


def test_confirmed_cancellation_cancels(backend):
    slots = {**proved("104587"), "confirm_cancellation": True, "customer_name": "Tom Okafor"}
    replies, events = sent(ActionCancelOrder(), make_tracker(slots=slots))
    assert [reply.response for reply in replies] == ["utter_order_cancelled"] and replies[0].values["name"] == "Tom"
    assert rendered(replies[0], slots).startswith("Done, Tom: order 104587 is cancelled")
    assert backend.find_order("104587").status == OrderStatus.CANCELLED
    assert slot_events(events) == {"confirm_cancellation": None}


def test_declined_cancellation_keeps_the_order(backend):
    texts, _ = said(ActionCancelOrder(), make_tracker(slots={**proved("104587"), "confirm_cancellation": False}))
    assert "stays as it is" in texts[0]
    assert backend.find_order("104587").status == OrderStatus.PROCESSING


def test_shipped_order_is_not_cancelled(backend):
    texts, _ = said(ActionCancelOrder(), make_tracker(slots={**proved("118902"), "confirm_cancellation": True}))
    assert "already left our warehouse" in texts[0]
    assert backend.find_order("118902").status == OrderStatus.SHIPPED


def test_change_address(backend):
    slots = {**proved("120455"), "shipping_address": "Am Wall 7, 28195 Bremen"}
    texts, events = said(ActionChangeShippingAddress(), make_tracker(slots=slots))
    assert texts[0] == "Done: order 120455 will now be delivered to Am Wall 7, 28195 Bremen."
    assert backend.find_order("120455").shipping_address == "Am Wall 7, 28195 Bremen"
    assert slot_events(events) == {"shipping_address": None}


def test_change_address_of_shipped_order_is_refused(backend):
    texts, _ = said(ActionChangeShippingAddress(), make_tracker(slots={**proved("110348")}))
    assert "already left our warehouse" in texts[0]


def test_actions_without_an_order_number_do_not_crash(backend):
    for action in (ActionTrackOrder(), ActionTrackRefund(), ActionCancelOrder(), ActionChangeShippingAddress()):
        replies, _ = sent(action, make_tracker())
        assert replies == [Reply("utter_not_understood")]


def test_name_classified_as_greeting_after_the_name_question_is_taken_as_the_name():
    assert name_form_reads("Marta", "greet") == ({"customer_name": "Marta"}, ["customer_name"])


def name_form_turn(text, intent):
    tracker = after_name_question(text, intent)
    tracker.events.append({"event": "slot", "name": "requested_slot", "value": "customer_name"})
    return run_form_validation(ValidateNameForm(), tracker)[1]


def test_the_whole_name_form_validation():
    assert name_form_turn("call me Bob", "contact_customer_service") == {"customer_name": "Bob"}
    assert name_form_turn("I'd rather not say", "deny") == {"name_declined": True, "requested_slot": None}
    assert name_form_turn("do you accept paypal?", "check_payment_methods") == {}


def test_the_whole_address_validation(backend):
    tracker = make_tracker(
        "12 Rose Lane, Leeds LS1 4AB",
        "out_of_scope",
        active_loop="change_address_form",
        slots={"requested_slot": "shipping_address", **proved("120455")},
    )
    tracker.events.append({"event": "slot", "name": "requested_slot", "value": "shipping_address"})
    address = "12 Rose Lane, Leeds LS1 4AB"
    assert run_form_validation(ValidateChangeAddressForm(), tracker)[1] == {
        "shipping_address": address,
        "requested_slot": None,
    }
    tracker = make_tracker(
        "do you accept paypal?",
        "check_payment_methods",
        active_loop="change_address_form",
        slots={"requested_slot": "shipping_address", **proved("120455")},
    )
    # No address in it: nothing is filled, and the form still asks for the address.
    assert run_form_validation(ValidateChangeAddressForm(), tracker)[1] == {"requested_slot": "shipping_address"}
