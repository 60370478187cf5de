"""Handing a conversation to a person: the common start of every trigger, the hand-over form, the ticket.

A trigger action (the customer asks for a person, fallbacks in a row, a complaint the bot can't settle, a
cancellation the rules refuse) returns `hand_over(...)`. A hand-over the customer asked for, or a safety, legal or
fraud case, starts at once (`start_handoff`, which activates `handoff_form`); any other is offered first
(`offer_handoff`: `handoff_offer_form` asks yes or no, and `action_settle_handoff_offer` acts on the answer).
The hand-over form asks for an e-mail address only when no agent is on duty and none is known.
`action_open_ticket` then writes the ticket, tells the customer what happens next and pauses the bot: until an agent
hands the conversation back from the console, messages reach the agent (they are kept in the tracker) and the bot
stays silent.
"""

from typing import Any, Collection, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.customers import signed_in_customer
from actions.messages import form_answer, latest_intent_and_text
from actions.services import agent_directory, escalation_settings, issue_log, profile, ticket_store, ticket_webhook
from customer_care import form_answers
from customer_care.agents import agent_on_duty
from customer_care.escalation import DESCRIPTIONS, Trigger, hand_over_without_asking
from customer_care.issue_log import IssueEntry, IssueKind, IssueOutcome
from customer_care.masking import EMAIL_PATTERN
from customer_care.names import first_name
from customer_care.replies import Reply
from customer_care.tickets import NewTicket, Ticket
from customer_care.webhook import ticket_payload as webhook_payload

HANDOFF_FORM = "handoff_form"
HANDOFF_OFFER_FORM = "handoff_offer_form"
ACCEPTED = "handoff_accepted"
TRIGGER = "handoff_trigger"
SUMMARY = "handoff_summary"
CATEGORY = "handoff_category"
SEVERITY = "handoff_severity"
EMAIL = "customer_email"
EMAIL_DECLINED = ""  # the customer preferred not to give an address; the team answers in the chat
MAX_SUMMARY_CHARACTERS = 2000


def find_email(text: str) -> Optional[str]:
    match = EMAIL_PATTERN.search(text or "")
    return match.group(0).lower() if match else None


def _why_a_person(
    trigger: Trigger, summary: str, category: Optional[str], severity: Collection[str]
) -> List[EventType]:
    return [
        SlotSet(TRIGGER, trigger.value),
        SlotSet(SUMMARY, summary.strip()[:MAX_SUMMARY_CHARACTERS]),
        SlotSet(CATEGORY, category),
        SlotSet(SEVERITY, sorted(severity)),
    ]


def start_handoff(
    trigger: Trigger, summary: str, category: Optional[str] = None, severity: Collection[str] = ()
) -> List[EventType]:
    """Events that hand the conversation over: remember why, then run the hand-over form."""
    return _why_a_person(trigger, summary, category, severity) + [
        SlotSet(REQUESTED_SLOT, None),
        ActiveLoop(HANDOFF_FORM),
    ]


def offer_handoff(
    trigger: Trigger, summary: str, category: Optional[str] = None, severity: Collection[str] = ()
) -> List[EventType]:
    """Events that remember why a person could help, then ask the customer whether they want one."""
    return _why_a_person(trigger, summary, category, severity) + [
        SlotSet(ACCEPTED, None),
        SlotSet(REQUESTED_SLOT, None),
        ActiveLoop(HANDOFF_OFFER_FORM),
    ]


def hand_over(
    trigger: Trigger, summary: str, category: Optional[str] = None, severity: Collection[str] = (), agreed: bool = False
) -> List[EventType]:
    """Hands over at once when the customer asked (or agreed) or the case is urgent; otherwise offers it."""
    if hand_over_without_asking(trigger, agreed):
        return start_handoff(trigger, summary, category, severity)
    return offer_handoff(trigger, summary, category, severity)


def clear_handoff() -> List[EventType]:
    return [
        SlotSet(TRIGGER, None),
        SlotSet(SUMMARY, None),
        SlotSet(CATEGORY, None),
        SlotSet(SEVERITY, None),
        SlotSet(ACCEPTED, None),
    ]


class ValidateHandoffOfferForm(FormValidationAction):
    """ "Would you like me to pass this to a member of our team?": yes or no; anything else leaves the form."""

    def name(self) -> Text:
        return "validate_handoff_offer_form"

    def extract_handoff_accepted(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return form_answer(tracker, ACCEPTED, form_answers.read_handoff_offer)


class ActionSettleHandoffOffer(Action):
    """The customer answered the offer: hand over (handoff_form runs next), or carry on without a person."""

    def name(self) -> Text:
        return "action_settle_handoff_offer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        trigger = Trigger(tracker.get_slot(TRIGGER) or Trigger.CUSTOMER_ASKED.value)
        if tracker.get_slot(ACCEPTED):
            dispatcher.utter_message(response="utter_handoff_agreed")
            return [SlotSet(ACCEPTED, None)] + start_handoff(
                trigger,
                tracker.get_slot(SUMMARY) or DESCRIPTIONS[trigger],
                tracker.get_slot(CATEGORY),
                tracker.get_slot(SEVERITY) or (),
            )
        dispatcher.utter_message(response="utter_handoff_declined")
        return clear_handoff()


def known_email(tracker: Tracker) -> Optional[str]:
    """The customer's address from this chat ("" when they declined to give one), or from the shop's signed
    token (an address the page merely claims is ignored: it could be anyone's). A slot value that is not an address
    is an answer still to be validated, not known."""
    slot = tracker.get_slot(EMAIL)
    if slot == EMAIL_DECLINED or (slot and find_email(slot) == slot):
        return slot
    customer = signed_in_customer(tracker)
    return customer.email if customer else None


def live_handover_possible() -> bool:
    return agent_on_duty(profile(), agent_directory())


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_handoff_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if live_handover_possible():
            return []
        # While the form waits for the address, keep asking for it: the answer just extracted must survive
        # validation (the SDK drops slots that are not required).
        if tracker.get_slot(REQUESTED_SLOT) == EMAIL or known_email(tracker) is None:
            return [EMAIL]
        return []

    def extract_customer_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """An address, or "no" (the team replies in the chat); a goodbye, "never mind", small talk or a new
        question is no answer, so the form lets the rules handle it and nobody is stuck here."""
        if tracker.get_slot(REQUESTED_SLOT) != EMAIL:
            return {}
        reading = form_answers.read_email(*latest_intent_and_text(tracker))
        if reading.kind is form_answers.Kind.NOT_AN_ANSWER:
            return {}
        return {EMAIL: EMAIL_DECLINED if reading.kind is form_answers.Kind.DECLINE else reading.value}

    def validate_customer_email(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if slot_value == EMAIL_DECLINED:
            return {EMAIL: EMAIL_DECLINED}
        email = find_email(str(slot_value or ""))
        if email is None:
            dispatcher.utter_message(response="utter_invalid_email")
        return {EMAIL: email}


class ActionAskCustomerEmail(Action):
    def name(self) -> Text:
        return "action_ask_customer_email"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        shop = profile()
        dispatcher.utter_message(
            response="utter_ask_customer_email", opening_hours=shop.describe_opening_hours(), timezone=shop.timezone
        )
        return []


def _what_happens_next(ticket: Ticket, live: bool) -> Reply:
    if live:
        return Reply("utter_handoff_live", {"ticket_id": ticket.id})
    values = {"ticket_id": ticket.id, "reply_within_hours": profile().reply_within_hours}
    if ticket.customer_email:
        return Reply("utter_handoff_reply_by_email", {**values, "email": ticket.customer_email})
    return Reply("utter_handoff_reply_in_chat", values)


def ticket_payload(ticket: Ticket) -> Dict[str, Any]:
    """What the ticket webhook is told: the ticket id and a console link, never the conversation id (see
    customer_care/webhook.py); free text masked."""
    return webhook_payload(ticket)


class ActionOpenTicket(Action):
    """Writes the hand-over ticket, says what happens next, and pauses the bot in this conversation."""

    def name(self) -> Text:
        return "action_open_ticket"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        email = known_email(tracker) or None
        live = live_handover_possible()
        ticket = open_ticket(tracker, email)
        reply = _what_happens_next(ticket, live)
        dispatcher.utter_message(response=reply.response, **reply.values)
        return clear_handoff() + [SlotSet(EMAIL, email or EMAIL_DECLINED), ConversationPaused()]


def open_ticket(tracker: Tracker, email: Optional[str]) -> Ticket:
    """Writes the ticket for the hand-over under way, logs the escalation and tells the webhook."""
    trigger = Trigger(tracker.get_slot(TRIGGER) or Trigger.CUSTOMER_ASKED.value)
    severity = tuple(tracker.get_slot(SEVERITY) or ())
    summary = tracker.get_slot(SUMMARY) or DESCRIPTIONS[trigger]
    ticket = ticket_store().open_ticket(
        NewTicket(
            conversation_id=tracker.sender_id,
            reason=trigger.value,
            priority=escalation_settings().priority(trigger, severity),
            summary=summary,
            category=tracker.get_slot(CATEGORY),
            customer_name=tracker.get_slot("customer_name"),
            customer_email=email,
        )
    )
    issue_log().record(
        IssueEntry(
            conversation_id=tracker.sender_id,
            kind=IssueKind.ESCALATION.value,
            raw_text=DESCRIPTIONS[trigger],
            paraphrase=summary,
            category=tracker.get_slot(CATEGORY),
            severity=severity,
            outcome=IssueOutcome.ESCALATED,
        )
    )
    webhook = ticket_webhook()
    if webhook:
        webhook.notify(ticket_payload(ticket))
    return ticket


class ActionBotBack(Action):
    """Run by the agent console when an agent hands the conversation back: the bot says it is back and asks
    the satisfaction question (feedback_form takes the answer)."""

    def name(self) -> Text:
        return "action_bot_back"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        name = first_name(tracker.get_slot("customer_name"))
        dispatcher.utter_message(
            response="utter_bot_back", assistant_name=profile().assistant_name, **({"name": name} if name else {})
        )
        dispatcher.utter_message(response="utter_ask_satisfaction_rating")
        return [ActiveLoop("feedback_form"), SlotSet(REQUESTED_SLOT, "satisfaction_rating")]
