"""Mask personal data in what customers type before it is stored: card numbers, e-mail addresses, phone numbers.

The log keeps the problem, not the person. What must survive is what describes the problem: 6-digit order
numbers, prices, years, dates and times. Hence every rule below looks for the *shape* of personal data
rather than for "many digits":
  - a card number is 13-19 digits (one block, or groups as printed on cards) that passes the Luhn check
    every issued card number passes; a random digit run passes it one time in ten, a date or an order
    number is too short to be considered at all;
  - an e-mail address is something@domain.tld;
  - a phone number starts with + or 00 (international), with a trunk 0 (UK/EU national: 07700 900123),
    or is written the North American way ((555) 123-4567, 555-123-4567, 10 digits); 6-digit runs never qualify.

Masks run in that order: e-mail first (an address may hold digits and a +), then cards (so a card written
in groups is not taken for a phone number), then phones.

Known limits: a 13-19 digit parcel number that happens to pass the Luhn check is masked as a card (a lost
number costs less than a stored card); a card typed in an unusual grouping ("41111111 11111111") is kept
(accepting any grouping would mask an order number written next to a date).
"""

import re
from typing import List, Sequence

CARD_MASK = "[card]"
EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"

CARD_MIN_DIGITS = 13
CARD_MAX_DIGITS = 19
PHONE_MIN_DIGITS = 8  # shortest international numbers with country code (e.g. small island states)
PHONE_MAX_DIGITS = 15  # the E.164 maximum

EMAIL_PATTERN = re.compile(  # also how the hand-over finds an address in a reply
    r"(?<![\w.+-])[\w.+-]+@"  # the local part: jane.doe+shop
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"  # example.co.uk
)

# Digit groups joined by a single space or dash: "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111".
_DIGIT_GROUPS = re.compile(r"(?<![\w])\d+(?:[ -]\d+)*(?![\w])")

# The groupings card issuers print: 4-4-4-4(-3) for most cards, 4-6-5 (Amex), 4-6-4 (Diners), 4-4-4-1..3 for
# 13-15 digit cards. Longest first, so a 19-digit card is not cut after its 16th digit.
_CARD_LAYOUTS = ((4, 4, 4, 4, 3), (4, 4, 4, 4), (4, 4, 4, 3), (4, 4, 4, 2), (4, 4, 4, 1), (4, 6, 5), (4, 6, 4))

_INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:\+|\b00)[1-9]\d{0,3}"  # +44, +1, 0049
    r"(?:[ .-]?(?:\(\d{1,5}\)|\d{1,5})){2,7}"  # "(0)20", "7946", "0958"
    r"(?![\w])"
)
# 07700 900123, 020 7946 0958: an area code of 3-5 digits after the 0, so "05-06-2024" never starts a match.
_NATIONAL_PHONE = re.compile(r"(?<![\w.,])0[1-9]\d{1,4}(?:[ .-]?\d{2,4}){1,3}(?![\w])")
# (555) 123-4567, 555-123-4567, or 10 digits in one block (no order number, price or date is that long).
# Separators are all or nothing, so an order number before a year ("104233 2024") is not read as 3-3-4.
_NORTH_AMERICAN_PHONE = re.compile(
    r"(?<![\w.,])(?:\+?1[ .-]?)?(?:(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}|\d{10})(?![\w])"
)
# UK and most trunk-0 countries: 0 + 9 or 10 digits; fewer is a date ("05062024") or a reference, not a phone.
_NATIONAL_DIGITS = (10, 11)


def mask_personal_data(text: str) -> str:
    """Return `text` with card numbers, e-mail addresses and phone numbers replaced by placeholders."""
    if not text:
        return text
    masked = EMAIL_PATTERN.sub(EMAIL_MASK, text)
    masked = _mask_cards(masked)
    return _mask_phones(masked)


def passes_luhn(digits: str) -> bool:
    """The check digit test every payment card number passes (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card_number(digits: str) -> bool:
    return CARD_MIN_DIGITS <= len(digits) <= CARD_MAX_DIGITS and passes_luhn(digits)


def _mask_cards(text: str) -> str:
    return _DIGIT_GROUPS.sub(lambda match: _mask_cards_in_groups(match.group(0), match.start(), text), text)


def _mask_cards_in_groups(run: str, start: int, text: str) -> str:
    """Mask the card-shaped stretches of one run of digit groups ("104233 4111 1111 1111 1111" holds one).

    Only a single block or a printed card layout counts: letting any grouping add up to 13-19 digits would
    let an order number next to a date ("104233 2024-03-15") pass the Luhn check one time in ten.
    """
    if start > 0 and text[start - 1] == "+":  # "+44 20 ..." is a phone number however its digits add up
        return run
    groups = re.split(r"[ -]", run)
    separators = re.findall(r"[ -]", run)
    pieces: List[str] = []
    index = 0
    while index < len(groups):
        width = _card_window_at(groups, index)
        pieces.append(CARD_MASK if width else groups[index])
        index += max(width, 1)
        if index < len(groups):
            pieces.append(separators[index - 1])
    return "".join(pieces)


def _card_window_at(groups: Sequence[str], index: int) -> int:
    """How many groups from `index` form a Luhn-valid card number (0 when none do); longest layout wins."""
    if _is_card_number(groups[index]):
        return 1
    lengths = tuple(len(group) for group in groups[index:])
    for layout in _CARD_LAYOUTS:
        if lengths[: len(layout)] == layout and _is_card_number("".join(groups[index : index + len(layout)])):
            return len(layout)
    return 0


def _mask_phones(text: str) -> str:
    masked = _INTERNATIONAL_PHONE.sub(_mask_international, text)
    masked = _NORTH_AMERICAN_PHONE.sub(PHONE_MASK, masked)
    return _NATIONAL_PHONE.sub(_mask_national, masked)


def _mask_international(match: "re.Match[str]") -> str:
    number = match.group(0)
    prefix_digits = 2 if number.startswith("00") else 0  # the 00 dialling prefix is not part of the number
    return PHONE_MASK if PHONE_MIN_DIGITS <= _digit_count(number) - prefix_digits <= PHONE_MAX_DIGITS else number


def _mask_national(match: "re.Match[str]") -> str:
    number = match.group(0)
    return PHONE_MASK if _digit_count(number) in _NATIONAL_DIGITS else number


def _digit_count(text: str) -> int:
    return sum(char.isdigit() for char in text)
