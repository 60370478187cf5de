"""Does a message answer the question a form asked, decline it, or leave it?

A form question must never trap a customer: every question accepts its natural answers, a polite "no", and a way
out: goodbye, "never mind", "forget it", "stop", or a new question. The form actions ask `read_*` here what a
message is; NOT_AN_ANSWER makes the form reject the message, so that the rules answer it instead (small talk
inside the form, a new question after leaving it). The NLU's intent is one input, the raw text the other: the
intent names are a contract, so "never mind" and "no" share the intent `deny`, and only the words tell a
customer who declines the question from one who wants to stop altogether.

All patterns are anchored or bounded and have no nested repetition, and texts are capped before matching.
"""

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, FrozenSet, Optional

from customer_care import feedback
from customer_care.answers import SHOP_QUESTION_INTENTS as SHOP_QUESTION_INTENTS  # used by complaints.flow
from customer_care.masking import EMAIL_PATTERN
from customer_care.names import declines_to_give_name, extract_name, introduces_name, looks_like_keyboard_mashing

MAX_TEXT_CHARACTERS = 1000  # enough for any answer to a form's question; the rest is not read

# Requests that start an order form.
ORDER_REQUEST_INTENTS = frozenset({"track_order", "track_refund", "cancel_order", "change_shipping_address"})
# Every shop intent: the shop questions the bot answers from the store profile (listed once, in
# data/rules/shop_questions.yml), order requests, a complaint, and asking for a person.
NEW_REQUEST_INTENTS = frozenset(SHOP_QUESTION_INTENTS) | ORDER_REQUEST_INTENTS | {"complaint", "contact_human_agent"}
# Answered inside a form, which then asks its question again.
SMALL_TALK_INTENTS = frozenset({"greet", "thank_you", "bot_challenge", "out_of_scope"})

_LEAVING = re.compile(
    r"^\s*(?:(?:oh |ok |okay |no,? |nah,? |actually,? |please )*(?:never ?mind|nvm|forget (?:it|about it|that|this)|"
    r"stop(?: it| that| this| asking| please| now)?|cancel (?:that|this|it)|leave it|drop it|let'?s stop|"
    r"scrap (?:that|this|it)|i (?:changed|have changed|'ve changed) my mind|not anymore|no longer needed|"
    r"i'?ll do it later|quit|exit|enough))\b[\s,.!]*(?:thanks?|thank you|please)?[\s.!]*$",
    re.IGNORECASE,
)
_DECLINING = re.compile(
    r"^\s*(?:no|nope|nah|no thanks|no thank you|no,? thanks|not really|skip(?: it| this| that)?|pass|"
    r"(?:i'?d |i would )?(?:rather|prefer) (?:not|to not)(?: to)?(?: say| answer| share| give (?:it|one))?|"
    r"no comment|nothing|nothing(?: else)?(?: to add)?|none|n/?a|all good|i'?m good|that'?s all)"
    r"\b[\s,.!]*(?:thanks?|thank you|ty|thx)?[\s.!]*$",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\s*(?:what|where|when|why|how|who|which|can|could|do|does|did|is|are|will|would|should|may|have|has)\b",
    re.IGNORECASE,
)
_ADDRESS_CHARACTERS = re.compile(r"^[^<>{}\[\]\\|@^~`$]+$")
MIN_ADDRESS_LENGTH = 10
MAX_ADDRESS_LENGTH = 200


class Kind(str, Enum):
    ANSWER = "answer"  # the value answers the question (it may still fail validation: "Sorry, that's no e-mail")
    DECLINE = "decline"  # the customer prefers not to answer; the form carries on without it
    NOT_AN_ANSWER = "not_an_answer"  # leaving, small talk or a new request: the form rejects the message


@dataclass(frozen=True)
class Reading:
    kind: Kind
    value: Any = None


NOT_AN_ANSWER = Reading(Kind.NOT_AN_ANSWER)
DECLINE = Reading(Kind.DECLINE)


def _capped(text: Optional[str]) -> str:
    return (text or "")[:MAX_TEXT_CHARACTERS].strip()


def wants_to_leave(text: Optional[str]) -> bool:
    """ "never mind", "forget it", "stop", "cancel that": the customer wants out of whatever is being asked."""
    return bool(_LEAVING.match(_capped(text)))


def declines(text: Optional[str]) -> bool:
    """ "no thanks", "skip", "I'd rather not", "nothing": no answer to this question, but no wish to leave."""
    return bool(_DECLINING.match(_capped(text)))


def is_question(text: Optional[str]) -> bool:
    text = _capped(text)
    return "?" in text or bool(_QUESTION_START.match(text))


def interrupts(intent: Optional[str]) -> bool:
    """Intents that never answer a form's question: goodbye, small talk, a request for a person."""
    return intent in SMALL_TALK_INTENTS or intent in ("goodbye", "contact_human_agent")


def read_name(intent: Optional[str], text: Optional[str]) -> Reading:
    """ "I'm Ana", "call me Bob", "Ana here", "Ana" -> the name; "I'd rather not say" -> DECLINE."""
    if declines_to_give_name(_capped(text)) or intent == "deny" and not introduces_name(_capped(text)):
        return DECLINE
    name = extract_name(_capped(text))
    if name is None:
        return NOT_AN_ANSWER
    # A bare word ("Refund", "Tracking") is a name only when the NLU did not read it as a request; "call me
    # Bob" may sound like a request to be called, but says it is a name.
    if introduces_name(_capped(text)):
        return Reading(Kind.ANSWER, name)
    bare_reply_ok = intent not in NEW_REQUEST_INTENTS | {"goodbye", "thank_you", "bot_challenge", "out_of_scope"}
    return Reading(Kind.ANSWER, name) if bare_reply_ok and not looks_like_keyboard_mashing(name) else NOT_AN_ANSWER


def read_email(intent: Optional[str], text: Optional[str]) -> Reading:
    """An address; "no"/"I'd rather not" (the team replies in the chat); anything else is a wrong address unless
    it leaves or changes the topic."""
    text = _capped(text)
    match = EMAIL_PATTERN.search(text)
    if match:
        return Reading(Kind.ANSWER, match.group(0).lower())
    # A request no shop handles is left to the "that doesn't look like an e-mail address" answer, which names the
    # ways out; small talk, a goodbye and a new question are not answers.
    if wants_to_leave(text) or (interrupts(intent) and intent != "out_of_scope") or intent in NEW_REQUEST_INTENTS:
        return NOT_AN_ANSWER
    if declines(text) or intent == "deny":
        return DECLINE
    return Reading(Kind.ANSWER, text)


_PROOF_TOKEN = re.compile(r"[a-z0-9]{2,10}")
_NOT_KNOWN = re.compile(
    r"\b(?:(?:do ?n[o']?t|can'?t|cannot|could ?n'?t) (?:know|remember|recall|find|have)|no idea|forg[oe]t|"
    r"not sure|dunno|no clue)\b",
    re.IGNORECASE,
)
_ORDER_NUMBER_ONLY = re.compile(r"\d{6}")
# Digits and punctuation only ("3", "#2", "10/10"): whatever the classifier makes of it, it says neither yes nor no.
_DIGITS_AND_PUNCTUATION = re.compile(r"[\d\s.,:;/#+\-()]+")


def _names_a_postcode(text: str) -> bool:
    """A run of letters and digits with a digit in it that is not an order number: "10969", "SW1A 1AA"."""
    return any(
        any(character.isdigit() for character in token) and not _ORDER_NUMBER_ONLY.fullmatch(token)
        for token in _PROOF_TOKEN.findall(text.lower())
    )


def read_order_check(intent: Optional[str], text: Optional[str]) -> Reading:
    """The order's e-mail address or postcode, or an attempt at one (checked afterwards); not a goodbye, small
    talk, a new question or a new order number."""
    text = _capped(text)
    if EMAIL_PATTERN.search(text) or _names_a_postcode(text):
        return Reading(Kind.ANSWER, text.strip())
    if wants_to_leave(text) or intent in ("goodbye", "contact_human_agent"):
        return NOT_AN_ANSWER
    if declines(text) or intent == "deny" or _NOT_KNOWN.search(text):
        return DECLINE  # "I don't remember which e-mail I used": no attempt, nothing to check
    if interrupts(intent) or intent in NEW_REQUEST_INTENTS:
        return NOT_AN_ANSWER
    return Reading(Kind.ANSWER, text.strip()) if text.strip() else NOT_AN_ANSWER


def read_rating(intent: Optional[str], text: Optional[str]) -> Reading:
    """A 1-5 rating ("4", "four stars", "⭐⭐⭐"); "no thanks"/"skip"; else a bad rating unless it leaves."""
    text = _capped(text)
    rating = feedback.parse_rating(text)
    if rating is not None:
        return Reading(Kind.ANSWER, rating)
    if wants_to_leave(text) or interrupts(intent) or intent in NEW_REQUEST_INTENTS:
        return NOT_AN_ANSWER
    if declines(text) or intent == "deny":
        return DECLINE
    return Reading(Kind.ANSWER, text)


def read_comment(intent: Optional[str], text: Optional[str]) -> Reading:
    """Almost anything is a comment ("thanks, you were quick" too), but not a goodbye, small talk, or a new
    question ("do you accept paypal?")."""
    text = _capped(text)
    if wants_to_leave(text) or intent in ("goodbye", "greet", "bot_challenge", "contact_human_agent"):
        return NOT_AN_ANSWER
    # "quick and easy" reads as no shop's business to the NLU, but is a fine comment; "what's the weather?" is not.
    if intent == "out_of_scope" and is_question(text):
        return NOT_AN_ANSWER
    if declines(text) or intent == "deny":
        return DECLINE
    if intent in NEW_REQUEST_INTENTS and is_question(text):
        return NOT_AN_ANSWER
    return Reading(Kind.ANSWER, text[: feedback.MAX_COMMENT_LENGTH])


def read_paraphrase_confirmation(intent: Optional[str], text: Optional[str], is_correction: bool) -> Reading:
    """Yes; no or a correction ("no, it was the lid"), whatever intent a correction sounds like; but not a
    goodbye, small talk, or a new question that corrects nothing ("do you accept paypal?")."""
    text = _capped(text)
    if _is_bare_number(text):
        return NOT_AN_ANSWER
    if intent == "affirm":
        return Reading(Kind.ANSWER, True)
    if wants_to_leave(text) or interrupts(intent):
        return NOT_AN_ANSWER
    if intent in NEW_REQUEST_INTENTS and intent != "complaint" and is_question(text) and not is_correction:
        return NOT_AN_ANSWER
    return Reading(Kind.ANSWER, False)


def read_yes_no(
    intent: Optional[str],
    text: Optional[str],
    yes_intents: FrozenSet[str] = frozenset({"affirm"}),
    no_intents: FrozenSet[str] = frozenset({"deny"}),
) -> Reading:
    """A yes or a no; "never mind", a bare number and everything else is not an answer."""
    text = _capped(text)
    if _is_bare_number(text):
        return NOT_AN_ANSWER
    if intent in yes_intents:
        return Reading(Kind.ANSWER, True)
    if intent in no_intents and not wants_to_leave(text):
        return Reading(Kind.ANSWER, False)
    return NOT_AN_ANSWER


def read_handoff_offer(intent: Optional[str], text: Optional[str]) -> Reading:
    """ "Would you like me to pass this to a member of our team?": yes (or asking for a person) or no (also
    "never mind"); a goodbye, small talk, a bare number or a new question is not an answer."""
    text = _capped(text)
    if _is_bare_number(text):
        return NOT_AN_ANSWER
    if intent in ("affirm", "contact_human_agent"):
        return Reading(Kind.ANSWER, True)
    if intent == "deny" or declines(text) or wants_to_leave(text):
        return Reading(Kind.ANSWER, False)
    return NOT_AN_ANSWER


def _is_bare_number(text: str) -> bool:
    return _DIGITS_AND_PUNCTUATION.fullmatch(text) is not None and any(character.isdigit() for character in text)


def looks_like_address(text: Optional[str]) -> bool:
    address = " ".join(_capped(text).split())
    return (
        MIN_ADDRESS_LENGTH <= len(address) <= MAX_ADDRESS_LENGTH
        and _ADDRESS_CHARACTERS.match(address) is not None
        and any(character.isdigit() for character in address)
        and any(character.isalpha() for character in address)
    )


SHORT_STATEMENT_WORDS = 6


def _is_short_statement(text: str) -> bool:
    return (
        bool(text.strip())
        and not is_question(text)
        and not wants_to_leave(text)
        and len(text.split()) <= SHORT_STATEMENT_WORDS
    )


def read_address(intent: Optional[str], text: Optional[str]) -> Reading:
    """A delivery address (validated afterwards); not a goodbye, "no", small talk or a new question."""
    text = _capped(text)
    if looks_like_address(text) and not is_question(text):
        return Reading(Kind.ANSWER, " ".join(text.split()))
    if intent == "out_of_scope" and _is_short_statement(text):
        # "Berlin", "Rose Lane, Leeds": place names read as nothing the shop does, but they are an attempt at
        # the address; validation then asks for the whole of it.
        return Reading(Kind.ANSWER, " ".join(text.split()))
    if wants_to_leave(text) or interrupts(intent) or intent in ("deny", "affirm"):
        return NOT_AN_ANSWER
    if intent in NEW_REQUEST_INTENTS - {"change_shipping_address", "set_up_shipping_address"} and is_question(text):
        return NOT_AN_ANSWER
    return Reading(Kind.ANSWER, " ".join(text.split()))
