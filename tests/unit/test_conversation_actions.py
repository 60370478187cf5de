"""The conversation actions (the greeting, the name question, shop questions, messages not understood), run as
the action server runs them."""

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
from customer_care.answers import shop_facts
from customer_care.identity import VerifiedCustomer
from customer_care.replies import Reply
from tests.unit.conftest import active_loops, make_tracker, run_form_validation, slot_events
from tests.unit.domain_responses import as_reply, rendered, sent

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
