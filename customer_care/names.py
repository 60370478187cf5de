"""Recognising a customer's first name in a short reply to "What's your name?"."""

import re
from typing import Optional

_INTRODUCTION = re.compile(
    r"^\s*(?:hi|hello|hey)?[\s,!.]*(?:my name is|my name's|name's|i am|i'm|im|it's|its|this is|call me)\s+",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*$")
_NOT_NAMES = frozenset(
    "yes yeah yep no nope nah ok okay sure thanks thank hi hello hey bye what why how who where when help "
    "order refund nothing none idk dunno the a an not".split()
)
MAX_NAME_LENGTH = 40
MAX_NAME_WORDS = 3


def extract_name(text: str) -> Optional[str]:
    """The name in "Sarah", "I'm sarah", "my name is Anne-Marie O'Neil"; None when it doesn't look like one."""
    candidate = _INTRODUCTION.sub("", text or "").strip().strip(".!,")
    words = candidate.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS or len(candidate) > MAX_NAME_LENGTH:
        return None
    if not all(_NAME_WORD.match(word) for word in words) or words[0].lower() in _NOT_NAMES:
        return None
    return " ".join(word[:1].upper() + word[1:] for word in words)


def first_name(full_name: Optional[str]) -> Optional[str]:
    return full_name.split()[0] if full_name else None
