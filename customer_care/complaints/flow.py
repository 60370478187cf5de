"""Decisions of the complaint flow that need no Rasa: which messages describe a problem, and what the bot says
when a complaint goes to a person (the wording is in domain.yml under "# Complaints")."""

from typing import Optional, Sequence

from customer_care import form_answers
from customer_care.complaints import analyse_complaint
from customer_care.escalation import Trigger
from customer_care.issue_log import IssueOutcome
from customer_care.replies import Reply


def read_description(intent: Optional[str], text: str) -> Optional[str]:
    """The message as the description of a problem, or None when it is small talk, a goodbye, a request no shop
    handles ("how much has the dow changed today"), an unrecognised message that describes no problem, or a new
    shop question: none of those may be paraphrased back as a complaint."""
    if form_answers.wants_to_leave(text) or (form_answers.interrupts(intent) and intent != "out_of_scope"):
        return None
    if intent in ("nlu_fallback", "out_of_scope") or (
        intent in form_answers.SHOP_QUESTION_INTENTS and form_answers.is_question(text)
    ):
        # Such a message counts only when it names a problem the shop knows ("the lid is cracked", "it won't
        # pair"); "how much has the dow changed today" reads as specific, but names none.
        analysis = analyse_complaint(text)
        return text if analysis.is_specific and analysis.category.value != "other" else None
    return text


def declines_order_number(intent: Optional[str], text: str) -> bool:
    """ "No", "I don't have it", "no idea", in answer to "which order is this about?" (a message without an order
    number): anything that does not leave the complaint, chat, or ask something new, so the complaint carries on
    without the number."""
    if form_answers.wants_to_leave(text) or form_answers.interrupts(intent):
        return False
    return not (intent in form_answers.SHOP_QUESTION_INTENTS and form_answers.is_question(text))


def logged_outcome(escalated: bool, accepted: bool) -> IssueOutcome:
    """How a complaint ended, as the issue log records it."""
    if escalated:
        return IssueOutcome.ESCALATED
    return IssueOutcome.SOLUTION_ACCEPTED if accepted else IssueOutcome.NOT_UNDERSTOOD


def handover_summary(confirmed_paraphrase: Optional[str], words: Sequence[str]) -> str:
    """What the ticket says about a complaint: the paraphrase the customer confirmed, or else their own words."""
    if confirmed_paraphrase is not None:
        return f"Complaint (confirmed): {confirmed_paraphrase}"
    return f"Complaint the bot could not restate; the customer's words: {' / '.join(words)}"


def handover_lead(trigger: Trigger, repeat: bool, offered: bool) -> Reply:
    """What the bot says as a complaint goes to a person: why (a paraphrase it couldn't get right, a declined
    solution, a repeat complaint), then that a person could look at it (`offered`: the offer form then asks "Would
    you like me to pass this to a member of our team?") or will."""
    if trigger is Trigger.PARAPHRASE_DENIED:
        return Reply("utter_handover_offer_after_denials" if offered else "utter_handover_after_denials")
    if trigger is Trigger.SOLUTION_DECLINED:
        return Reply(
            "utter_handover_offer_after_declined_solution" if offered else "utter_handover_after_declined_solution"
        )
    if repeat:
        return Reply("utter_handover_offer_repeat_complaint" if offered else "utter_handover_repeat_complaint")
    return Reply("utter_handover_offer" if offered else "utter_handover")
