"""A customer's name, or their polite refusal to give one, in a reply to "May I ask your name?".

Customers answer in many shapes: "Ana", "I'm Ana", "call me Bob", "it's Priya Natarajan", "Ana here", "this is
Tom", "name's Li", "my name is Ana Lima", or decline: "I'd rather not say", "no thanks", "skip". The NLU has
no intent for these (the intent names are a contract), so the name form reads the raw text with the rules
below. The text is capped first (text_limits.MAX_NAME_CHARACTERS), and every pattern is anchored, has no nested
repetition and no two neighbouring repetitions that could share a character, so each is tried from one place
and reads a reply once: linear time whatever its length. The "... here" rule, which looks at the end of the
reply, reads it backwards from its end rather than searching for the end from every space.
"""

import re
from typing import Optional

from customer_care.text_limits import MAX_NAME_CHARACTERS, capped

MAX_REPLY_CHARACTERS = MAX_NAME_CHARACTERS  # a longer message is not an answer to the name question
MAX_NAME_LENGTH = 40
MAX_NAME_WORDS = 3

_GREETING = r"(?:(?:hi|hello|hey|hiya|morning|evening|good (?:morning|afternoon|evening))\b[\s,!.]*)?"
# Before the name: "I'm", "I m" (a client that splits on the apostrophe), "Im", "I am", "call me", ...
_GREETING_ONLY = re.compile(r"^\s*" + _GREETING)
_BEFORE = re.compile(
    r"^\s*"
    + _GREETING
    + r"(?:(?:my )?name(?:'s| is|s)|my name|i'?m|i m|i am|it'?s|it is|this is|call me|you can call me|"
    r"people call me|they call me|i go by)\s+(?:just\s+)?",
    re.IGNORECASE,
)
# After the name: "Ana here", "Tom speaking", "Zeynep again". Matched on the reversed text, from its end: a
# search for "\s+here\s*$" would start again at every space of a long run of spaces.
_AFTER_REVERSED = re.compile(r"\s*(?:niaga ereh|ereh|gnikaeps|niaga)\s+", re.IGNORECASE)
_PUNCTUATION = ".!,;:)( \t\"'"
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*$")
# Words that answer "May I ask your name?" without being a name ("sure", "why?", "great").
_NOT_NAMES = frozenset(
    "yes yeah yep yup no nope nah ok okay sure fine thanks thank hi hello hey hiya bye goodbye what why how who "
    "where when help order orders refund nothing none idk dunno the a an not just skip pass nevermind never "
    "great good cool nice lol hmm um erm anonymous me you it is this that here there please stop wait sorry "
    "human person agent bot robot customer guest someone nobody anybody whatever later back now asap today "
    "tomorrow soon again urgent ridiculous terrible awful useless annoying crazy insane unacceptable joking "
    "kidding busy confused lost done finished back here there outside home waiting".split()
)
# Declining: "I'd rather not say", "no thanks", "skip", "prefer not to", "none of your business".
# The punctuation after "no" belongs to the thanks that follows it, or else to the end, never to both: two
# neighbouring runs of the same characters would try every split of a long run.
_DECLINE = re.compile(
    r"^\s*(?:(?:no|nope|nah|not really)\b(?:[\s,.!]*(?:thanks|thank you|ty|thx))?|skip(?: it| this| that)?|pass|"
    r"(?:i'?d |i would )?(?:rather|prefer) (?:not|to not)(?: to)?(?: say| tell| share| give it| give (?:you )?"
    r"my name)?(?:,? thanks| thank you)?|"
    r"i don'?t want to (?:say|tell|share|give (?:you )?(?:it|my name))|not telling|none of your business|"
    r"no comment|anonymous|just call me anonymous|doesn'?t matter|it doesn'?t matter|never ?mind|"
    r"why do you (?:need|want) (?:it|to know|my name)|i'?d rather stay anonymous)[\s,.!?]*$",
    re.IGNORECASE,
)


def extract_name(text: str) -> Optional[str]:
    """The name in "Sarah", "I'm sarah", "Ana here", "my name is Anne-Marie O'Neil"; None otherwise."""
    text = capped(text, MAX_REPLY_CHARACTERS)
    candidate = _BEFORE.sub("", text, count=1) if _BEFORE.match(text) else _GREETING_ONLY.sub("", text, count=1)
    candidate = candidate.strip(_PUNCTUATION)
    candidate = _without_after(candidate).strip(_PUNCTUATION)
    words = candidate.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS or len(candidate) > MAX_NAME_LENGTH:
        return None
    if not all(_NAME_WORD.match(word) for word in words) or any(word.lower() in _NOT_NAMES for word in words):
        return None
    return " ".join(word[:1].upper() + word[1:] for word in words)


def introduces_name(text: str) -> bool:
    """Whether the reply says it is a name ("I'm ...", "call me ...", "... here"), not just a bare word."""
    text = capped(text, MAX_REPLY_CHARACTERS)
    return bool(_BEFORE.match(text) or _AFTER_REVERSED.match(text.rstrip(_PUNCTUATION)[::-1]))


def _without_after(text: str) -> str:
    """ "Ana here" -> "Ana": the words after a name, with the spaces before them."""
    after = _AFTER_REVERSED.match(text[::-1])
    return text[: len(text) - after.end()] if after else text


def declines_to_give_name(text: str) -> bool:
    """ "I'd rather not say", "no thanks", "skip": the customer prefers not to give a name."""
    return bool(_DECLINE.match(capped(text, MAX_REPLY_CHARACTERS)))


_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5}", re.IGNORECASE)


def looks_like_keyboard_mashing(name: str) -> bool:
    """ "Asdfgh": five consonants in a row, which no name in the Latin alphabet has ("Schmidt" has four)."""
    return bool(_CONSONANT_RUN.search(capped(name, MAX_NAME_CHARACTERS)))


def first_name(full_name: Optional[str]) -> Optional[str]:
    """ "Ana" of "Ana Lima"; None for no name, or one of nothing but spaces."""
    words = capped(full_name, MAX_NAME_CHARACTERS).split(maxsplit=1)
    return words[0] if words else None
