"""The active-listening complaint flow: listen, clarify, paraphrase, confirm, apologise, resolve, follow up, log.

`complaint_form` asks for a description until it is specific enough to paraphrase, asks the customer to
confirm the paraphrase (taking corrections; two denials end the guessing), asks for the order number when
the problem concerns an order, and offers a solution. `feedback_form` then takes a 1-5 rating and an
optional comment. The analysis, solutions and log live in `customer_care`; these actions only glue them in.
"""

from datetime import timedelta
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.orders import ORDER_CHECK, ORDER_NUMBER, OrderNumberValidation, current_order
from actions.handoff import hand_over
from actions.messages import latest_intent_and_text
from actions.services import escalation_settings, issue_log, profile
from customer_care import feedback, form_answers
from customer_care.complaints import ComplaintAnalysis, analyse_complaint, confirmation_sentence
from customer_care.corrections import strip_leading_denial
from customer_care.database import utc_now
from customer_care.escalation import Trigger, complaint_trigger, hand_over_without_asking
from customer_care.issue_log import IssueEntry, IssueKind
from customer_care.names import first_name
from customer_care.resolutions import Resolution, needs_order_number, resolve

COMPLAINT_TEXT = "complaint_text"
COMPLAINT_WORDS = "complaint_words"  # everything the customer wrote about the problem, in their own words
PARAPHRASE = "complaint_paraphrase"
CATEGORY = "complaint_category"
SEVERITY = "complaint_severity"
CONFIRMED = "complaint_confirmed"
DENIALS = "complaint_denials"
ORDER_DECLINED = "complaint_order_declined"
SOLUTION_ACCEPTED = "solution_accepted"
OUTCOME = "complaint_outcome"
INTERRUPTED_FORM = "interrupted_form"
RATING = "satisfaction_rating"
COMMENT = "feedback_comment"
FEEDBACK_DECLINED = "feedback_declined"

MAX_DENIALS = 2
RESOLVED = "solution_offered"
ESCALATED = "escalated"
FORMS_A_COMPLAINT_CAN_INTERRUPT = ("track_order_form", "track_refund_form", "cancel_order_form", "change_address_form")

ASK_DESCRIPTION = "I'm sorry to hear that. Could you please describe the problem in more detail?"
ASK_MORE_DETAIL = ("Thank you. Could you tell me a little more: what happened, to which item or order, and what "
                   "you'd like us to do?")
ASK_CORRECTION = "I'm sorry I misunderstood. What did I get wrong? Please tell me the problem again in your words."
ASK_COMPLAINT_ORDER = ("Which order is this about? The 6-digit order number is in your confirmation e-mail. If you "
                       "don't have it to hand, just say no.")
ASK_SOLUTION_ACCEPTED = "Does that resolve it for you?"
ASK_HAND_OVER_ACCEPTED = "Is that all right with you?"
ASK_COMMENT = "Thank you! Is there anything you'd like to add about this chat? (Or just say no.)"
YES_NO_BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def _name(tracker: Tracker) -> Optional[str]:
    return first_name(tracker.get_slot("customer_name"))


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


def _resolution(tracker: Tracker) -> Resolution:
    order = current_order(tracker)
    return resolve(tracker.get_slot(CATEGORY) or "other", tracker.get_slot(SEVERITY) or [], profile(), order,
                   _name(tracker))


def _says_no_to_order_number(tracker: Tracker) -> bool:
    """"No", "I don't have it", "no idea": anything without an order number that does not leave the complaint,
    chat, or ask something new, so the complaint carries on without the number."""
    if tracker.get_slot("requested_slot") != ORDER_NUMBER:
        return False
    intent, text = latest_intent_and_text(tracker)
    if any(entity.get("entity") == ORDER_NUMBER for entity in tracker.latest_message.get("entities") or []):
        return False
    if form_answers.wants_to_leave(text) or form_answers.interrupts(intent):
        return False
    return not (intent in form_answers.SHOP_QUESTION_INTENTS and form_answers.is_question(text))


def read_description(intent: Optional[str], text: str) -> Optional[str]:
    """The message as the description of a problem, or None when it is small talk, a goodbye, a request no shop
    handles ("how much has the dow changed today"), an unrecognised message that describes no problem, or a new
    shop question: none of those may be paraphrased back as a complaint."""
    if form_answers.wants_to_leave(text) or (form_answers.interrupts(intent) and intent != "out_of_scope"):
        return None
    if intent in ("nlu_fallback", "out_of_scope") or (
            intent in form_answers.SHOP_QUESTION_INTENTS and form_answers.is_question(text)):
        # Such a message counts only when it names a problem the shop knows ("the lid is cracked", "it won't
        # pair"); "how much has the dow changed today" reads as specific, but names none.
        analysis = analyse_complaint(text)
        return text if analysis.is_specific and analysis.category.value != "other" else None
    return text


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
        requested = tracker.get_slot("requested_slot")
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
        if tracker.get_slot("requested_slot") != CONFIRMED:
            return {}
        intent, text = latest_intent_and_text(tracker)
        # A correction starts with a denial ("no, it was the lid"), even when phrased as a question.
        reading = form_answers.read_paraphrase_confirmation(intent, text, strip_leading_denial(text) != text.strip())
        return {CONFIRMED: reading.value} if reading.kind is form_answers.Kind.ANSWER else {}

    def extract_solution_accepted(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != SOLUTION_ACCEPTED:
            return {}
        reading = form_answers.read_yes_no(*latest_intent_and_text(tracker), yes_intents=frozenset({"affirm", "thank_you"}),
                                           no_intents=frozenset({"deny", "complaint"}))
        return {SOLUTION_ACCEPTED: reading.value} if reading.kind is form_answers.Kind.ANSWER else {}

    def extract_complaint_order_declined(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {ORDER_DECLINED: True} if _says_no_to_order_number(tracker) else {}

    def validate_complaint_text(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        analysis = analyse_complaint(str(slot_value or ""))
        slots = _analysis_slots(analysis, tracker)
        already_asked = tracker.get_slot("requested_slot") == COMPLAINT_TEXT
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


class ActionAskComplaintText(Action):
    def name(self) -> Text:
        return "action_ask_complaint_text"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot(DENIALS):
            dispatcher.utter_message(text=ASK_CORRECTION)
        elif len(tracker.get_slot(COMPLAINT_WORDS) or []) > 1:  # described once already, still too vaguely
            dispatcher.utter_message(text=ASK_MORE_DETAIL)
        else:
            dispatcher.utter_message(text=ASK_DESCRIPTION)
        return []


class ActionAskComplaintConfirmed(Action):
    """The paraphrase, in the second person, for the customer to confirm."""

    def name(self) -> Text:
        return "action_ask_complaint_confirmed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(text=confirmation_sentence(tracker.get_slot(PARAPHRASE) or ""),
                                 buttons=YES_NO_BUTTONS)
        return []


class ActionAskComplaintFormOrderNumber(Action):
    def name(self) -> Text:
        return "action_ask_complaint_form_order_number"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(text=ASK_COMPLAINT_ORDER)
        return []


class ActionAskSolutionAccepted(Action):
    """The apology and the solution, then whether that resolves it."""

    def name(self) -> Text:
        return "action_ask_solution_accepted"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        resolution = _resolution(tracker)
        dispatcher.utter_message(text=resolution.text)
        question = ASK_HAND_OVER_ACCEPTED if resolution.needs_person else ASK_SOLUTION_ACCEPTED
        dispatcher.utter_message(text=question, buttons=YES_NO_BUTTONS)
        return []


class ActionFinishComplaint(Action):
    """Logs the complaint with its outcome; hands it to a person when an escalation trigger applies."""

    def name(self) -> Text:
        return "action_finish_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        understood = tracker.get_slot(CONFIRMED) is True
        accepted = understood and tracker.get_slot(SOLUTION_ACCEPTED) is True
        resolution = _resolution(tracker) if understood else None
        category = tracker.get_slot(CATEGORY)
        severity = tuple(tracker.get_slot(SEVERITY) or ())
        settings = escalation_settings()
        repeat = understood and category is not None and issue_log().has_complained_before(
            tracker.sender_id, category, utc_now() - timedelta(days=settings.repeat_within_days))
        trigger = complaint_trigger(
            settings, understood=understood, accepted=accepted, severity=severity if understood else (),
            repeat=repeat, outside_policy=bool(resolution and resolution.outside_policy),
            needs_person=bool(resolution and resolution.needs_person),
        )
        if trigger:
            outcome = "escalated"
        else:
            outcome = "solution_accepted" if accepted else "not_understood"
        words = "\n".join(tracker.get_slot(COMPLAINT_WORDS) or [])
        issue_log().record(IssueEntry(
            conversation_id=tracker.sender_id, kind=IssueKind.COMPLAINT.value, raw_text=words,
            paraphrase=tracker.get_slot(PARAPHRASE) or "", category=category, severity=severity,
            order_number=tracker.get_slot(ORDER_NUMBER), outcome=outcome,
        ))
        events = reset_complaint() + [SlotSet(OUTCOME, ESCALATED if trigger else RESOLVED)]
        if not trigger:
            dispatcher.utter_message(text="I'm glad that helps. Thank you for your patience." if accepted else
                                     "I'm sorry I couldn't solve this here.")
            return events
        # The customer agreed to a solution that is itself a person's job; otherwise only urgent cases are handed
        # over without asking.
        agreed = accepted and bool(resolution and resolution.needs_person)
        events += hand_over(trigger, _handover_summary(tracker, understood), category,
                            severity if understood else (), agreed=agreed)
        dispatcher.utter_message(text=_handover_lead(trigger, repeat,
                                                     offered=not hand_over_without_asking(trigger, agreed)))
        # A person takes over (or may); the order form the complaint paused is dropped.
        return events + [SlotSet(INTERRUPTED_FORM, None)]


def _handover_lead(trigger: Trigger, repeat: bool, offered: bool) -> str:
    if trigger is Trigger.PARAPHRASE_DENIED:
        lead = "I'm sorry I couldn't get that right."
    elif trigger is Trigger.SOLUTION_DECLINED:
        lead = "I'm sorry that doesn't solve it."
    elif repeat:
        lead = "I can see you've had this problem before, and I'm sorry it's happened again."
    else:
        lead = ""
    if offered:  # the offer form asks "Would you like me to pass this to a member of our team?"
        return (lead + " A member of our team could look at this for you.").strip()
    if trigger in (Trigger.PARAPHRASE_DENIED, Trigger.SOLUTION_DECLINED):
        return lead + " Let me bring in a member of our team."
    return (lead + " A colleague will take this over.").strip() if lead else "A member of our team will take this over."


def _handover_summary(tracker: Tracker, understood: bool) -> str:
    if understood:
        return f"Complaint (confirmed): {tracker.get_slot(PARAPHRASE)}"
    words = " / ".join(tracker.get_slot(COMPLAINT_WORDS) or [])
    return f"Complaint the bot could not restate; the customer's words: {words}"


def reset_complaint() -> List[EventType]:
    return [SlotSet(slot, None) for slot in (COMPLAINT_TEXT, COMPLAINT_WORDS, PARAPHRASE, CATEGORY, SEVERITY,
                                             CONFIRMED, ORDER_DECLINED, SOLUTION_ACCEPTED)] + [SlotSet(DENIALS, 0)]


class ActionComplaintNotUnderstood(Action):
    """A message the NLU could not place, in the middle of the complaint form.

    While the form waits for a description any text is welcome (the form takes it); while it waits for a yes
    or no, say so."""

    def name(self) -> Text:
        return "action_complaint_not_understood"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot("requested_slot") in (CONFIRMED, SOLUTION_ACCEPTED):
            dispatcher.utter_message(text="Sorry, I didn't quite catch that. Could you answer yes or no?")
        elif tracker.get_slot("requested_slot") == ORDER_NUMBER:
            dispatcher.utter_message(text="Sorry, I didn't catch an order number there.")
        else:  # not paraphrased: an unrecognised message that describes no problem
            dispatcher.utter_message(text="Sorry, I didn't quite follow that.")
        return []


class ActionPauseFormForComplaint(Action):
    """A complaint in the middle of an order form: put the form aside, listen, then come back to it."""

    def name(self) -> Text:
        return "action_pause_form_for_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        paused = tracker.active_loop.get("name")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(INTERRUPTED_FORM, paused),
                SlotSet(COMPLAINT_TEXT, tracker.latest_message.get("text"))]


def _declines_rating(tracker: Tracker) -> bool:
    if tracker.get_slot("requested_slot") != RATING:
        return False
    return form_answers.read_rating(*latest_intent_and_text(tracker)).kind is form_answers.Kind.DECLINE


class ValidateFeedbackForm(FormValidationAction):
    """A rating and an optional comment; "no thanks" to the rating skips both. A goodbye, small talk or a new
    question is no answer: the form rejects it and the rules answer it (a new question drops the feedback)."""

    def name(self) -> Text:
        return "validate_feedback_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot(FEEDBACK_DECLINED) or _declines_rating(tracker):
            return [FEEDBACK_DECLINED]
        return [RATING, COMMENT]

    def extract_feedback_declined(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {FEEDBACK_DECLINED: True} if _declines_rating(tracker) else {}

    def extract_satisfaction_rating(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != RATING:
            return {}
        reading = form_answers.read_rating(*latest_intent_and_text(tracker))
        return {RATING: reading.value} if reading.kind is form_answers.Kind.ANSWER else {}

    def extract_feedback_comment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != COMMENT:
            return {}
        reading = form_answers.read_comment(*latest_intent_and_text(tracker))
        if reading.kind is form_answers.Kind.NOT_AN_ANSWER:
            return {}
        return {COMMENT: "" if reading.kind is form_answers.Kind.DECLINE else reading.value}

    def validate_satisfaction_rating(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        rating = slot_value if isinstance(slot_value, (int, float)) else feedback.parse_rating(str(slot_value or ""))
        if rating is None:
            dispatcher.utter_message(text="Please answer with a number from 1 to 5 (or say skip).")
        return {RATING: rating}

    def validate_feedback_comment(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {COMMENT: str(slot_value or "").strip()[: feedback.MAX_COMMENT_LENGTH]}


class ActionAskSatisfactionRating(Action):
    def name(self) -> Text:
        return "action_ask_satisfaction_rating"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(text=feedback.RATING_QUESTION, buttons=feedback.RATING_BUTTONS)
        return []


class ActionAskFeedbackComment(Action):
    def name(self) -> Text:
        return "action_ask_feedback_comment"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(text=ASK_COMMENT)
        return []


class ActionRecordFeedback(Action):
    """Stores the rating next to the complaint it rates, thanks the customer, and resumes a paused form."""

    def name(self) -> Text:
        return "action_record_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot(RATING) is None:  # the customer preferred not to rate
            dispatcher.utter_message(text="No problem.")
        else:
            record_rating(tracker, dispatcher)
        events: List[EventType] = [SlotSet(RATING, None), SlotSet(COMMENT, None), SlotSet(OUTCOME, None),
                                   SlotSet(INTERRUPTED_FORM, None), SlotSet(FEEDBACK_DECLINED, None)]
        resumed = _resume_form(tracker.get_slot(INTERRUPTED_FORM), dispatcher)
        if not resumed:
            dispatcher.utter_message(text="Is there anything else I can help you with?")
        return events + resumed


def record_rating(tracker: Tracker, dispatcher: CollectingDispatcher) -> None:
    rating = int(tracker.get_slot(RATING))
    issue_log().record_rating(tracker.sender_id, rating, tracker.get_slot(COMMENT) or None)
    dispatcher.utter_message(text=f"Thank you for rating this chat {rating} out of 5; it helps us improve.")


def _resume_form(form: Optional[str], dispatcher: CollectingDispatcher) -> List[EventType]:
    """Reactivates the order form a complaint paused; the form then asks its next question again."""
    if form not in FORMS_A_COMPLAINT_CAN_INTERRUPT:
        return []
    dispatcher.utter_message(text="Now, back to where we were.")
    return [ActiveLoop(form)]
