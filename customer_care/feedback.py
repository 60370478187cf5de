"""Reading a satisfaction rating (1 to 5) out of whatever the customer types."""

import re
from typing import Optional

from customer_care.issue_log import MAX_RATING, MIN_RATING  # the range the log stores

MAX_COMMENT_LENGTH = 1000

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBER = re.compile(r"(?<![\d.,])(\d+)(?:\s*(?:/|out of)\s*5)?(?![\d.,]*\d)")
_STARS = re.compile(r"[★⭐]")


def parse_rating(text: str) -> Optional[int]:
    """The rating in "4", "4/5", "four stars", "⭐⭐⭐"; None when there is none or more than one."""
    text = (text or "").strip().lower()
    stars = len(_STARS.findall(text))
    if stars:
        return stars if MIN_RATING <= stars <= MAX_RATING else None
    numbers = {int(match.group(1)) for match in _NUMBER.finditer(text) if len(match.group(1)) <= 2}
    numbers |= {value for word, value in _WORDS.items() if re.search(rf"\b{word}\b", text)}
    if len(numbers) != 1:
        return None
    rating = numbers.pop()
    return rating if MIN_RATING <= rating <= MAX_RATING else None
