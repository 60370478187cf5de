"""Handing a conversation to a person: the common start of every trigger, the hand-over form, the ticket.

A trigger action (the customer asks for a person, fallbacks in a row, a complaint the bot can't settle, a
cancellation the rules refuse) returns `start_handoff(...)`, which activates `handoff_form`. The form asks
for an e-mail address only when no agent is on duty and none is known. `action_open_ticket` then writes the
ticket, tells the customer what happens next and pauses the bot: until an agent hands the conversation back
from the console, messages reach the agent (they are kept in the tracker) and the bot stays silent.
"""

from typing import Any, Collection, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import agent_directory, escalation_settings, issue_log, profile, ticket_store, ticket_webhook
from customer_care import feedback
from customer_care.agents import agent_on_duty
from customer_care.escalation import DESCRIPTIONS, Trigger
from customer_care.issue_log import IssueEntry, IssueKind
from customer_care.masking import EMAIL_PATTERN
from customer_care.names import first_name
from customer_care.tickets import NewTicket, Ticket

HANDOFF_FORM = "handoff_form"
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


def start_handoff(trigger: Trigger, summary: str, category: Optional[str] = None,
                  severity: Collection[str] = ()) -> List[EventType]:
    """Events that hand the conversation over: remember why, then run the hand-over form."""
    return [SlotSet(TRIGGER, trigger.value), SlotSet(SUMMARY, summary.strip()[:MAX_SUMMARY_CHARACTERS]),
            SlotSet(CATEGORY, category), SlotSet(SEVERITY, sorted(severity)),
            SlotSet("requested_slot", None), ActiveLoop(HANDOFF_FORM)]


def known_email(tracker: Tracker) -> Optional[str]:
    """The customer's address from this chat ("" when they declined to give one), or from the page that
    embeds the widget. A slot value that is not an address is an answer still to be validated, not known."""
    slot = tracker.get_slot(EMAIL)
    if slot == EMAIL_DECLINED or (slot and find_email(slot) == slot):
        return slot
    page = tracker.get_slot("session_started_metadata") or {}
    return find_email(str(page.get("email") or "")) if isinstance(page, dict) else None


def live_handover_possible() -> bool:
    return agent_on_duty(profile(), agent_directory())


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_handoff_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if known_email(tracker) is not None or live_handover_possible():
            return []
        return [EMAIL]

    def validate_customer_email(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.latest_message.get("intent", {}).get("name") == "deny":
            return {EMAIL: EMAIL_DECLINED}
        email = find_email(str(slot_value or ""))
        if email is None:
            dispatcher.utter_message(text="Sorry, that doesn't look like an e-mail address. Could you type it "
                                          "again, like name@example.com? Or say no, and the team replies here.")
        return {EMAIL: email}


class ActionAskCustomerEmail(Action):
    def name(self) -> Text:
        return "action_ask_customer_email"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        shop = profile()
        dispatcher.utter_message(text=(
            f"Our team isn't online right now (they're here {shop.describe_opening_hours()}, "
            f"{shop.timezone} time). What e-mail address can they reply to? If you'd rather not say, just "
            "answer no, and they'll reply here in this chat."))
        return []


def _what_happens_next(ticket: Ticket, live: bool) -> str:
    shop = profile()
    if live:
        return (f"I'm connecting you with a member of our team now; they'll reply right here in this chat in a "
                f"few minutes. I've passed on everything you've told me (your reference is #{ticket.id}).")
    where = f"by e-mail to {ticket.customer_email}" if ticket.customer_email else "here in this chat"
    return (f"Thank you. A member of our team will reply {where} within {shop.reply_within_hours} hours; your "
            f"reference is #{ticket.id}. Anything you add here in the meantime is passed on to them.")


def ticket_payload(ticket: Ticket) -> Dict[str, Any]:
    return {"id": ticket.id, "conversation_id": ticket.conversation_id, "priority": ticket.priority,
            "reason": ticket.reason, "category": ticket.category, "summary": ticket.summary,
            "customer_name": ticket.customer_name, "customer_email": ticket.customer_email,
            "created_at": ticket.created_at.isoformat()}


class ActionOpenTicket(Action):
    """Writes the hand-over ticket, says what happens next, and pauses the bot in this conversation."""

    def name(self) -> Text:
        return "action_open_ticket"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        trigger = Trigger(tracker.get_slot(TRIGGER) or Trigger.CUSTOMER_ASKED.value)
        severity = tuple(tracker.get_slot(SEVERITY) or ())
        summary = tracker.get_slot(SUMMARY) or DESCRIPTIONS[trigger]
        email = known_email(tracker) or None
        live = live_handover_possible()
        ticket = ticket_store().open_ticket(NewTicket(
            conversation_id=tracker.sender_id, reason=trigger.value,
            priority=escalation_settings().priority(trigger, severity), summary=summary,
            category=tracker.get_slot(CATEGORY), customer_name=tracker.get_slot("customer_name"),
            customer_email=email,
        ))
        issue_log().record(IssueEntry(
            conversation_id=tracker.sender_id, kind=IssueKind.ESCALATION.value, raw_text=DESCRIPTIONS[trigger],
            paraphrase=summary, category=tracker.get_slot(CATEGORY), severity=severity, outcome="escalated",
        ))
        webhook = ticket_webhook()
        if webhook:
            webhook.notify(ticket_payload(ticket))
        dispatcher.utter_message(text=_what_happens_next(ticket, live))
        return [SlotSet(TRIGGER, None), SlotSet(SUMMARY, None), SlotSet(CATEGORY, None), SlotSet(SEVERITY, None),
                SlotSet(EMAIL, email or EMAIL_DECLINED), ConversationPaused()]


class ActionBotBack(Action):
    """Run by the agent console when an agent hands the conversation back: the bot says it is back and asks
    the satisfaction question (feedback_form takes the answer)."""

    def name(self) -> Text:
        return "action_bot_back"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        name = first_name(tracker.get_slot("customer_name"))
        greeting = f"Hi {name}, it's {profile().assistant_name} again" if name else \
            f"Hi, it's {profile().assistant_name} again"
        dispatcher.utter_message(text=f"{greeting}: our team has handed this chat back to me, and I'm here if "
                                      "you need anything else.")
        dispatcher.utter_message(text=feedback.RATING_QUESTION, buttons=feedback.RATING_BUTTONS)
        return [ActiveLoop("feedback_form"), SlotSet("requested_slot", "satisfaction_rating")]
