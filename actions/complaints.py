"""The active-listening complaint flow: listen, clarify, paraphrase, confirm, apologise, resolve, follow up, log.

`complaint_form` asks for a description until it is specific enough to paraphrase, asks the customer to
confirm the paraphrase (taking corrections; two denials end the guessing), asks for the order number when
the problem concerns an order, and offers a solution. `feedback_form` then takes a 1-5 rating and an
optional comment. The analysis, solutions and log live in `customer_care`; these actions only glue them in.
How the complaint form reads the customer's answers is actions.complaint_form's; the slot names are here.
"""

from datetime import timedelta
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.handoff import hand_over
from actions.messages import declines_to_answer, form_answer, latest_intent_and_text
from actions.orders import ORDER_NUMBER, current_order, customer_first_name, say
from actions.services import escalation_settings, issue_log, profile
from customer_care import feedback, form_answers
from customer_care.complaints.flow import handover_lead, handover_summary, logged_outcome
from customer_care.database import utc_now
from customer_care.escalation import complaint_trigger, hand_over_without_asking
from customer_care.issue_log import IssueEntry, IssueKind
from customer_care.replies import shop_today
from customer_care.resolutions import Resolution, resolve

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

RESOLVED = "solution_offered"
ESCALATED = "escalated"
FORMS_A_COMPLAINT_CAN_INTERRUPT = ("track_order_form", "track_refund_form", "cancel_order_form", "change_address_form")


def _resolution(tracker: Tracker) -> Resolution:
    order = current_order(tracker)
    return resolve(
        tracker.get_slot(CATEGORY) or "other",
        tracker.get_slot(SEVERITY) or [],
        profile(),
        order,
        customer_first_name(tracker),
        today=shop_today(profile()),
    )


class ActionAskComplaintText(Action):
    def name(self) -> Text:
        return "action_ask_complaint_text"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot(DENIALS):
            dispatcher.utter_message(response="utter_ask_complaint_correction")
        elif len(tracker.get_slot(COMPLAINT_WORDS) or []) > 1:  # described once already, still too vaguely
            dispatcher.utter_message(response="utter_ask_complaint_more_detail")
        else:
            dispatcher.utter_message(response="utter_ask_complaint_description")
        return []


class ActionAskSolutionAccepted(Action):
    """The apology and the solution, then whether that resolves it."""

    def name(self) -> Text:
        return "action_ask_solution_accepted"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        resolution = _resolution(tracker)
        for reply in resolution.replies:
            say(dispatcher, reply)
        dispatcher.utter_message(
            response="utter_ask_hand_over_accepted" if resolution.needs_person else "utter_ask_solution_accepted"
        )
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
        repeat = (
            understood
            and category is not None
            and issue_log().has_complained_before(
                tracker.sender_id, category, utc_now() - timedelta(days=settings.repeat_within_days)
            )
        )
        trigger = complaint_trigger(
            settings,
            understood=understood,
            accepted=accepted,
            severity=severity if understood else (),
            repeat=repeat,
            outside_policy=bool(resolution and resolution.outside_policy),
            needs_person=bool(resolution and resolution.needs_person),
        )
        words = "\n".join(tracker.get_slot(COMPLAINT_WORDS) or [])
        issue_log().record(
            IssueEntry(
                conversation_id=tracker.sender_id,
                kind=IssueKind.COMPLAINT.value,
                raw_text=words,
                paraphrase=tracker.get_slot(PARAPHRASE) or "",
                category=category,
                severity=severity,
                order_number=tracker.get_slot(ORDER_NUMBER),
                outcome=logged_outcome(bool(trigger), accepted),
            )
        )
        events = reset_complaint() + [SlotSet(OUTCOME, ESCALATED if trigger else RESOLVED)]
        if not trigger:
            dispatcher.utter_message(response="utter_complaint_solved" if accepted else "utter_complaint_not_solved")
            return events
        # The customer agreed to a solution that is itself a person's job; otherwise only urgent cases are handed
        # over without asking.
        agreed = accepted and bool(resolution and resolution.needs_person)
        summary = handover_summary(
            tracker.get_slot(PARAPHRASE) if understood else None, tracker.get_slot(COMPLAINT_WORDS) or []
        )
        events += hand_over(trigger, summary, category, severity if understood else (), agreed=agreed)
        say(dispatcher, handover_lead(trigger, repeat, offered=not hand_over_without_asking(trigger, agreed)))
        # A person takes over (or may); the order form the complaint paused is dropped.
        return events + [SlotSet(INTERRUPTED_FORM, None)]


def reset_complaint() -> List[EventType]:
    return [
        SlotSet(slot, None)
        for slot in (
            COMPLAINT_TEXT,
            COMPLAINT_WORDS,
            PARAPHRASE,
            CATEGORY,
            SEVERITY,
            CONFIRMED,
            ORDER_DECLINED,
            SOLUTION_ACCEPTED,
        )
    ] + [SlotSet(DENIALS, 0)]


class ActionComplaintNotUnderstood(Action):
    """A message the NLU could not place, in the middle of the complaint form.

    While the form waits for a description any text is welcome (the form takes it); while it waits for a yes
    or no, say so."""

    def name(self) -> Text:
        return "action_complaint_not_understood"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot(REQUESTED_SLOT) in (CONFIRMED, SOLUTION_ACCEPTED):
            dispatcher.utter_message(response="utter_ask_yes_or_no")
        elif tracker.get_slot(REQUESTED_SLOT) == ORDER_NUMBER:
            dispatcher.utter_message(response="utter_order_number_help")
        else:  # not paraphrased: an unrecognised message that describes no problem
            dispatcher.utter_message(response="utter_complaint_not_followed")
        return []


class ActionPauseFormForComplaint(Action):
    """A complaint in the middle of an order form: put the form aside, listen, then come back to it."""

    def name(self) -> Text:
        return "action_pause_form_for_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        paused = tracker.active_loop.get("name")
        return [
            ActiveLoop(None),
            SlotSet(REQUESTED_SLOT, None),
            SlotSet(INTERRUPTED_FORM, paused),
            SlotSet(COMPLAINT_TEXT, tracker.latest_message.get("text")),
        ]


def _declines_rating(tracker: Tracker) -> bool:
    return declines_to_answer(tracker, RATING, form_answers.read_rating)


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
        return form_answer(tracker, RATING, form_answers.read_rating)

    def extract_feedback_comment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != COMMENT:
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
            dispatcher.utter_message(response="utter_invalid_rating")
        return {RATING: rating}

    def validate_feedback_comment(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {COMMENT: str(slot_value or "").strip()[: feedback.MAX_COMMENT_LENGTH]}


class ActionRecordFeedback(Action):
    """Stores the rating next to the complaint it rates, thanks the customer, and resumes a paused form."""

    def name(self) -> Text:
        return "action_record_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot(RATING) is None:  # the customer preferred not to rate
            dispatcher.utter_message(response="utter_rating_skipped")
        else:
            record_rating(tracker, dispatcher)
        events: List[EventType] = [
            SlotSet(RATING, None),
            SlotSet(COMMENT, None),
            SlotSet(OUTCOME, None),
            SlotSet(INTERRUPTED_FORM, None),
            SlotSet(FEEDBACK_DECLINED, None),
        ]
        resumed = _resume_form(tracker.get_slot(INTERRUPTED_FORM), dispatcher)
        if not resumed:
            dispatcher.utter_message(response="utter_anything_else")
        return events + resumed


def record_rating(tracker: Tracker, dispatcher: CollectingDispatcher) -> None:
    rating = int(tracker.get_slot(RATING))
    issue_log().record_rating(tracker.sender_id, rating, tracker.get_slot(COMMENT) or None)
    dispatcher.utter_message(response="utter_rating_thanks", rating=rating)


def _resume_form(form: Optional[str], dispatcher: CollectingDispatcher) -> List[EventType]:
    """Reactivates the order form a complaint paused; the form then asks its next question again."""
    if form not in FORMS_A_COMPLAINT_CAN_INTERRUPT:
        return []
    dispatcher.utter_message(response="utter_back_to_the_form")
    return [ActiveLoop(form)]
