"""Leaving a form, and small talk inside one: no question a form asks may trap a customer.

A form rejects a message that does not answer its question (customer_care/form_answers.py decides), and the
rules in data/rules/ then pick one of these: `action_small_talk` answers a greeting, thanks, "are you a
bot?" or a request no shop handles and the form asks its question again; `action_leave_form` ends the form
cleanly on a goodbye, "never mind", "forget it", "stop" or a new request, which the next rule answers.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.complaints import (
    COMMENT,
    FEEDBACK_DECLINED,
    INTERRUPTED_FORM,
    OUTCOME,
    RATING,
    record_rating,
    reset_complaint,
)
from actions.handoff import (
    EMAIL,
    HANDOFF_FORM,
    HANDOFF_OFFER_FORM,
    TRIGGER,
    clear_handoff,
    find_email,
    known_email,
    open_ticket,
)
from actions.messages import latest_intent_and_text
from actions.orders import CONFIRM_CANCELLATION, SHIPPING_ADDRESS
from customer_care.escalation import URGENT_TRIGGERS

# The short answer to each kind of small talk; anything else (nlu_fallback) was not caught.
SMALL_TALK_RESPONSES = {
    "greet": "utter_small_talk_greet",
    "thank_you": "utter_small_talk_thanks",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_small_talk_out_of_scope",
    "affirm": "utter_small_talk_yes",
}
NOT_CAUGHT = "utter_small_talk_not_caught"


class ActionSmallTalk(Action):
    """A short answer to small talk in the middle of a form; the form then asks its question again."""

    def name(self) -> Text:
        return "action_small_talk"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        intent, _ = latest_intent_and_text(tracker)
        dispatcher.utter_message(response=SMALL_TALK_RESPONSES.get(intent or "", NOT_CAUGHT))
        return []


class ActionLeaveForm(Action):
    """Ends the active form and forgets its half-given answers. A goodbye gets a goodbye, "never mind" a short
    confirmation; a new request gets no message here, because the rule's next action answers it."""

    def name(self) -> Text:
        return "action_leave_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        form = tracker.active_loop.get("name")
        events: List[EventType] = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        events += self._forget(form, tracker, dispatcher)
        intent, _ = latest_intent_and_text(tracker)
        if intent == "goodbye":
            dispatcher.utter_message(response="utter_goodbye")
        elif intent == "deny" and form != HANDOFF_OFFER_FORM:
            dispatcher.utter_message(response="utter_form_stopped")
        return events

    @staticmethod
    def _forget(form: Any, tracker: Tracker, dispatcher: CollectingDispatcher) -> List[EventType]:
        if form == "complaint_form":
            return reset_complaint() + [SlotSet(INTERRUPTED_FORM, None)]
        if form == "feedback_form":
            if tracker.get_slot(RATING) is not None:  # rated, then left at the comment: keep the rating
                record_rating(tracker, dispatcher)
            return [
                SlotSet(RATING, None),
                SlotSet(COMMENT, None),
                SlotSet(FEEDBACK_DECLINED, None),
                SlotSet(OUTCOME, None),
                SlotSet(INTERRUPTED_FORM, None),
            ]
        if form in (HANDOFF_FORM, HANDOFF_OFFER_FORM):
            events = clear_handoff()
            email = tracker.get_slot(EMAIL)
            if email and find_email(email) != email:  # a half-typed answer, not an address
                events.append(SlotSet(EMAIL, None))
            trigger = tracker.get_slot(TRIGGER)
            if form == HANDOFF_FORM and trigger in {t.value for t in URGENT_TRIGGERS}:
                # A safety risk, legal threat or possible fraud reaches a person even if the customer leaves; the
                # bot keeps answering meanwhile (no pause), and the team replies in this chat.
                ticket = open_ticket(tracker, known_email(tracker) or None)
                dispatcher.utter_message(response="utter_urgent_case_still_passed_on", ticket_id=ticket.id)
            return events
        if form == "cancel_order_form":
            return [SlotSet(CONFIRM_CANCELLATION, None)]
        if form == "change_address_form":
            return [SlotSet(SHIPPING_ADDRESS, None)]
        return []
