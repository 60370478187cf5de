"""Greeting, shop questions and messages the assistant can't act on."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.complaints import CATEGORY as COMPLAINT_CATEGORY
from actions.complaints import CONFIRMED, PARAPHRASE, reset_complaint
from actions.complaints import SEVERITY as COMPLAINT_SEVERITY
from actions.customers import signed_in_customer
from actions.handoff import hand_over, start_handoff
from actions.messages import declines_to_answer, form_answer
from actions.services import escalation_settings, issue_log, profile
from customer_care import form_answers
from customer_care.answers import answer_for
from customer_care.clarification import clarification
from customer_care.escalation import Trigger
from customer_care.issue_log import IssueEntry, IssueKind, IssueOutcome
from customer_care.names import extract_name, first_name

ASKED_FOR_NAME = "asked_for_name"
CUSTOMER_NAME = "customer_name"
NAME_DECLINED = "name_declined"
NAME_FORM = "name_form"


def _name_from_page(tracker: Tracker) -> Optional[Text]:
    """The signed-in customer's name, from the shop's signed token (a name the page merely claims is ignored)."""
    customer = signed_in_customer(tracker)
    return customer.name if customer else None


class ActionGreet(Action):
    """Greets by name when known; otherwise introduces the assistant and asks for the name once."""

    NAME = "action_greet"

    def name(self) -> Text:
        return self.NAME

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        shop = profile()
        mentioned = next(tracker.get_latest_entity_values("customer_name"), None)
        new_name = extract_name(mentioned) if mentioned else None
        if new_name:
            dispatcher.utter_message(response="utter_greet_with_new_name", first_name=first_name(new_name))
            return [SlotSet("customer_name", new_name)]
        known = tracker.get_slot("customer_name")
        if known:  # told in an earlier chat (slots carry over to new sessions)
            dispatcher.utter_message(response="utter_welcome_back", first_name=first_name(known))
            return []
        signed_in = _name_from_page(tracker)
        if signed_in:
            dispatcher.utter_message(
                response="utter_greet_signed_in_customer",
                first_name=first_name(signed_in),
                assistant_name=shop.assistant_name,
                shop_name=shop.shop_name,
            )
            return [SlotSet("customer_name", signed_in)]
        dispatcher.utter_message(
            response="utter_introduce_assistant", assistant_name=shop.assistant_name, shop_name=shop.shop_name
        )
        if tracker.get_slot(ASKED_FOR_NAME):
            dispatcher.utter_message(response="utter_what_can_i_do")
            return []
        # name_form asks utter_ask_customer_name and reads whatever shape the answer takes (or a polite "no").
        return [
            SlotSet(ASKED_FOR_NAME, True),
            SlotSet(NAME_DECLINED, None),
            SlotSet(REQUESTED_SLOT, None),
            ActiveLoop(NAME_FORM),
        ]


def _declines_name(tracker: Tracker) -> bool:
    return declines_to_answer(tracker, CUSTOMER_NAME, form_answers.read_name)


class ValidateNameForm(FormValidationAction):
    """Reads the answer to "May I ask your name?": a name in any usual shape, or a polite refusal. Anything
    else (a question, a goodbye) is no answer: the form rejects it and the rules take over."""

    def name(self) -> Text:
        return "validate_name_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot(NAME_DECLINED) or _declines_name(tracker):
            return [NAME_DECLINED]
        return [CUSTOMER_NAME]

    def extract_customer_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return form_answer(tracker, CUSTOMER_NAME, form_answers.read_name)

    def validate_customer_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # The CRF may also have tagged a word; only what reads as a name is kept.
        return {CUSTOMER_NAME: extract_name(str(slot_value or ""))}

    def extract_name_declined(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {NAME_DECLINED: True} if _declines_name(tracker) else {}


class ActionAcknowledgeName(Action):
    """After the name question: greet by name, or carry on without one."""

    def name(self) -> Text:
        return "action_acknowledge_name"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        name = tracker.get_slot(CUSTOMER_NAME)
        if name:
            dispatcher.utter_message(response="utter_nice_to_meet_you", first_name=first_name(name))
        else:
            dispatcher.utter_message(response="utter_carry_on_without_a_name")
        return [SlotSet(NAME_DECLINED, None)]


class ActionAnswerShopQuestion(Action):
    """Answers a common shop question with facts from the store profile."""

    def name(self) -> Text:
        return "action_answer_shop_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        answer = answer_for(intent, profile())
        dispatcher.utter_message(response=answer.response, **answer.values)
        return []


class ActionHandleUnrecognised(Action):
    """Replies to a message no intent fits, or that no shop handles.

    A message the NLU could not decide between two shop intents on gets a question with a button for each.
    Two messages in a row it does not understand: it offers a person (it does not impose one).
    """

    def name(self) -> Text:
        return "action_handle_unrecognised"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        if intent == "nlu_fallback":
            asked = clarification(
                tracker.latest_message.get("intent_ranking") or [], tracker.latest_message.get("entities") or []
            )
            if asked is not None:
                dispatcher.utter_message(
                    response="utter_ask_which_request",
                    first_choice=asked.first_choice,
                    second_choice=asked.second_choice,
                    buttons=asked.buttons,
                )
                return []
        in_a_row = _not_understood_in_a_row(tracker)
        settings = escalation_settings()
        issue_log().record(
            IssueEntry(
                conversation_id=tracker.sender_id,
                kind=IssueKind.FALLBACK.value,
                raw_text=tracker.latest_message.get("text") or "",
                outcome=IssueOutcome.OUT_OF_SCOPE if intent == "out_of_scope" else IssueOutcome.NOT_UNDERSTOOD,
            )
        )
        if settings.enabled(Trigger.NOT_UNDERSTOOD) and in_a_row >= settings.fallbacks_in_a_row:
            dispatcher.utter_message(response="utter_not_understanding_you")
            return hand_over(
                Trigger.NOT_UNDERSTOOD,
                "Messages the bot did not understand:\n" + "\n".join(_last_user_texts(tracker, in_a_row)),
            )
        explanation = "utter_out_of_scope" if intent == "out_of_scope" else "utter_not_understood"
        dispatcher.utter_message(response=explanation)
        dispatcher.utter_message(response="utter_capabilities")
        return []


def _user_messages_newest_first(tracker: Tracker) -> List[Dict[Text, Any]]:
    return [event for event in reversed(tracker.events) if event.get("event") == "user"]


def _not_understood_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back from this one, fell back (nlu_fallback)."""
    count = 0
    for event in _user_messages_newest_first(tracker):
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != "nlu_fallback":
            break
        count += 1
    return count


def _last_user_texts(tracker: Tracker, count: int) -> List[str]:
    return [event.get("text") or "" for event in _user_messages_newest_first(tracker)[:count]][::-1]


class ActionRequestHuman(Action):
    """The customer asks for a person: hand over, passing on the complaint under way if there is one."""

    def name(self) -> Text:
        return "action_request_human"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if not escalation_settings().enabled(Trigger.CUSTOMER_ASKED):
            answer = answer_for("contact_human_agent", profile())
            dispatcher.utter_message(response=answer.response, **answer.values)
            return []
        dispatcher.utter_message(response="utter_bringing_in_a_person")
        paraphrase = tracker.get_slot(PARAPHRASE)
        if paraphrase and tracker.get_slot(CONFIRMED) is not False:
            summary = f"Complaint: {paraphrase}"
        else:
            summary = f"Asked for a person: {tracker.latest_message.get('text') or ''}"
        events = start_handoff(
            Trigger.CUSTOMER_ASKED,
            summary,
            tracker.get_slot(COMPLAINT_CATEGORY),
            tracker.get_slot(COMPLAINT_SEVERITY) or (),
        )
        return reset_complaint() + [SlotSet("interrupted_form", None)] + events
