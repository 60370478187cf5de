"""Corrections to a paraphrase often start by saying no ("No, it was the lid"); the rest is the correction."""

import re

_LEADING_DENIAL = re.compile(
    r"^\s*(?:no+|nope|nah|not (?:quite|really|exactly)|wrong|incorrect|that'?s (?:not (?:it|right|correct)|wrong))"
    r"\b[\s,.;:!-]*",
    re.IGNORECASE,
)


def strip_leading_denial(text: str) -> str:
    """The correction without the "no" in front of it."""
    return _LEADING_DENIAL.sub("", text or "", count=1).strip()
