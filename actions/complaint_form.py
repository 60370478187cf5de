"""The complaint form's reading of the customer's answers: which slots it still needs, and what each answer fills.

Kept apart from the complaint's questions and outcome (actions.complaints) because this is where a complaint can
go wrong: a description too vague to paraphrase, a correction given in the same breath as its "no", a customer
with no order number to hand. The analysis of the words themselves lives in customer_care.complaints.
"""

from functools import partial
from typing import Any, Dict, List, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.complaints import (
    CATEGORY,
    COMPLAINT_TEXT,
    COMPLAINT_WORDS,
    CONFIRMED,
    DENIALS,
    ORDER_DECLINED,
    PARAPHRASE,
    SEVERITY,
    SOLUTION_ACCEPTED,
)
from actions.messages import form_answer, latest_intent_and_text
from actions.orders import ORDER_CHECK, ORDER_NUMBER, OrderNumberValidation
from customer_care import form_answers
from customer_care.complaints import ComplaintAnalysis, analyse_complaint
from customer_care.complaints.flow import declines_order_number, read_description
from customer_care.corrections import strip_leading_denial
from customer_care.resolutions import needs_order_number

MAX_DENIALS = 2


def _analysis_slots(analysis: ComplaintAnalysis, tracker: Tracker) -> Dict[Text, Any]:
    words = list(tracker.get_slot(COMPLAINT_WORDS) or []) + [analysis.raw_text]
    if not analysis.paraphrase:
        return {COMPLAINT_TEXT: None, COMPLAINT_WORDS: words}
    return {
        COMPLAINT_TEXT: analysis.raw_text,
        COMPLAINT_WORDS: words,
        PARAPHRASE: analysis.paraphrase,
        CATEGORY: analysis.category.value,
        SEVERITY: sorted(signal.value for signal in analysis.severity),
    }


def _says_no_to_order_number(tracker: Tracker) -> bool:
    """ "No", "I don't have it", "no idea": anything without an order number that does not leave the complaint,
    chat, or ask something new, so the complaint carries on without the number."""
    if tracker.get_slot(REQUESTED_SLOT) != ORDER_NUMBER:
        return False
    intent, text = latest_intent_and_text(tracker)
    entities = tracker.latest_message.get("entities") or []
    return not any(entity.get("entity") == ORDER_NUMBER for entity in entities) and declines_order_number(intent, text)


class ValidateComplaintForm(OrderNumberValidation, FormValidationAction):
    """Decides what the complaint form still needs; fills the analysis slots from the customer's words."""

    def name(self) -> Text:
        return "validate_complaint_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if (tracker.get_slot(DENIALS) or 0) >= MAX_DENIALS:
            return []
        slots = [COMPLAINT_TEXT, CONFIRMED]
        if needs_order_number(tracker.get_slot(CATEGORY) or ""):
            # Either the order number or the customer's "no" to it; the SDK keeps only slots listed here.
            declined = tracker.get_slot(ORDER_DECLINED) or _says_no_to_order_number(tracker)
            slots.extend([ORDER_DECLINED] if declined else self.order_slots(tracker))
        return slots + [SOLUTION_ACCEPTED]

    def refused_slots(self) -> Dict[Text, Any]:
        """No more look-ups in this chat: the complaint carries on as if the customer had no number to hand."""
        return {ORDER_NUMBER: None, ORDER_CHECK: None, ORDER_DECLINED: True}

    def extract_complaint_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The first message of a complaint (the form starts on it), or the answer to "describe the problem"."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        # While the form starts, nothing is requested yet (Rasa already reports the loop as active then).
        starting = requested is None
        if tracker.get_slot(COMPLAINT_TEXT) is not None or not (starting or requested == COMPLAINT_TEXT):
            return {}
        intent, text = latest_intent_and_text(tracker)
        if starting and intent != "complaint":
            return {}
        description = read_description(intent, text)
        return {} if description is None else {COMPLAINT_TEXT: description}

    def extract_complaint_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != CONFIRMED:
            return {}
        intent, text = latest_intent_and_text(tracker)
        # A correction starts with a denial ("no, it was the lid"), even when phrased as a question.
        reading = form_answers.read_paraphrase_confirmation(intent, text, strip_leading_denial(text) != text.strip())
        return {CONFIRMED: reading.value} if reading.kind is form_answers.Kind.ANSWER else {}

    def extract_solution_accepted(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        read = partial(
            form_answers.read_yes_no,
            yes_intents=frozenset({"affirm", "thank_you"}),
            no_intents=frozenset({"deny", "complaint"}),
        )
        return form_answer(tracker, SOLUTION_ACCEPTED, read)

    def extract_complaint_order_declined(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {ORDER_DECLINED: True} if _says_no_to_order_number(tracker) else {}

    def validate_complaint_text(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        analysis = analyse_complaint(str(slot_value or ""))
        slots = _analysis_slots(analysis, tracker)
        already_asked = tracker.get_slot(REQUESTED_SLOT) == COMPLAINT_TEXT
        if slots[COMPLAINT_TEXT] is not None and not already_asked and not analysis.is_specific:
            # "I want to complain" announces a complaint without saying what happened: ask first.
            slots[COMPLAINT_TEXT] = None
        return slots

    def validate_complaint_confirmed(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if slot_value is not False:
            return {CONFIRMED: slot_value}
        denials = (tracker.get_slot(DENIALS) or 0) + 1
        if denials >= MAX_DENIALS:
            return {CONFIRMED: False, DENIALS: denials}
        reset = {CONFIRMED: None, DENIALS: denials, COMPLAINT_TEXT: None, PARAPHRASE: None}
        # "No, the lid was broken, not the jar" corrects in the same breath: paraphrase that straight away.
        correction = analyse_complaint(strip_leading_denial(tracker.latest_message.get("text") or ""))
        if correction.is_specific:
            reset.update(_analysis_slots(correction, tracker))
        return reset
