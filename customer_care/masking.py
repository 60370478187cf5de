"""Mask personal data in what customers type before it is stored: card numbers, IBANs, e-mail addresses, phones.

The log keeps the problem, not the person. What must survive is what describes the problem: 6-digit order
numbers, prices, years, dates and times. Hence every rule below looks for the *shape* of personal data
rather than for "many digits":
  - a card number is 13-19 digits (one block, or groups as printed on cards, separated by spaces, dashes, dots
    or slashes) that passes the Luhn check every issued card number passes; a random digit run passes it one
    time in ten, a date or an order number is too short to be considered at all;
  - an IBAN is a country code, two check digits and 11-30 letters or digits (in groups or not) that pass the
    ISO 13616 mod-97 check; a random string passes it one time in 97, and it must name a country that has IBANs;
  - an e-mail address is something@domain.tld, or spelled out: "jane at example dot com", "jane(at)example(dot)
    com", "jane [at] example [dot] com". A bare "at" followed by a real domain ("ordered at larkspur.com") is a
    place, not an address, unless the domain is a big mail provider's ("jane at gmail.com");
  - a phone number starts with + or 00 (international), with a trunk 0 (UK/EU national: 07700 900123),
    or is written the North American way ((555) 123-4567, 555-123-4567, 10 digits); 6-digit runs never qualify.

Masks run in that order: e-mail first (an address may hold digits and a +), then IBANs (their digit groups look
like a card's), then cards (so a card written in groups is not taken for a phone number), then phones.

Bounded work: the text is cut to MAX_MESSAGE_CHARACTERS first (the channels accept no more), and every rule runs
in linear time. No pattern can split one run of digits, letters or spaces in more than one way (blocks are
maximal runs, separators are single characters between them, and every rule starts only where such a run
starts); what needs counting (how many digits, whether the groups fit a layout) is done on the match, whose
length is bounded.

Known limits: a 13-19 digit parcel number that happens to pass the Luhn check is masked as a card (a lost
number costs less than a stored card); a card typed in an unusual grouping ("41111111 11111111") is kept
(accepting any grouping would mask an order number written next to a date); an address spelled out with a bare
"at" and a real domain is kept unless the domain is a mail provider's; the cut at the cap drops the number or
word it went through, but a spelled-out address it cut in half ("jane at example dot c...") keeps its start.
"""

import re
from typing import Callable, Iterable, List, Sequence, Tuple

from customer_care.text_limits import MAX_MESSAGE_CHARACTERS

CARD_MASK = "[card]"
EMAIL_MASK = "[email]"
IBAN_MASK = "[iban]"
PHONE_MASK = "[phone]"
MASKS = (CARD_MASK, EMAIL_MASK, IBAN_MASK, PHONE_MASK)

CARD_MIN_DIGITS = 13
CARD_MAX_DIGITS = 19
IBAN_MIN_CHARACTERS = 15  # Norway's
IBAN_MAX_CHARACTERS = 34  # the ISO 13616 maximum
PHONE_MIN_DIGITS = 8  # shortest international numbers with country code (e.g. small island states)
PHONE_MAX_DIGITS = 15  # the E.164 maximum

EMAIL_PATTERN = re.compile(  # also how the hand-over finds an address in a reply
    r"(?<![\w.+-])[\w.+-]+@"  # the local part: jane.doe+shop
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"  # example.co.uk
)

# Spelled out so that no robot harvests it: "jane at example dot com", "jane(at)example(dot)com", "jane [at]
# example [dot] com", "jane@example dot com". The local part starts only where a run of its characters starts,
# labels and separators never overlap, so each address is read once.
_SPELLED_AT = r"(?P<at>\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|@)"
_SPELLED_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_SPELLED_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+"
    + _SPELLED_AT
    + r"(?P<domain>[A-Za-z0-9-]+(?:"
    + _SPELLED_DOT
    + r"[A-Za-z0-9-]+)*"
    + _SPELLED_DOT
    + r"(?P<tld>[A-Za-z]{2,}))\b",
    re.IGNORECASE,
)
_PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9.-]+")
# After a bare " at ", "dot something" must end like a real address ("look at the dot on the screen" does not)...
_COMMON_TLDS = frozenset(
    "com net org info biz edu gov mil int io co uk de fr es nl be ch li lu ie eu ca au nz pl se dk fi pt br jp cn ru "
    "cz sk hu ro bg gr tr za mx ar cl pe ve ua by kz il ae sa pk bd lk sg my ph th vn kr tw hk id tv cc ai app dev "
    "shop store online email mail site web tech cloud xyz".split()
)
# ... and a real domain must be a mail provider's: "jane at gmail.com" is an address, "at larkspur.com" a place.
_MAIL_PROVIDERS = frozenset(
    "gmail googlemail hotmail outlook live msn yahoo ymail rocketmail icloud aol protonmail proton pm gmx yandex "
    "zoho btinternet virginmedia blueyonder talktalk sky ntlworld comcast verizon att sbcglobal bellsouth orange "
    "wanadoo laposte libero tiscali seznam mailbox posteo tutanota fastmail hushmail qq 163 126 naver".split()
)

# ISO 13616: the countries of the IBAN registry (places that use another's IBANs, such as Jersey's GB, are covered).
_IBAN_COUNTRIES = frozenset(
    "AD AE AL AT AZ BA BE BG BH BI BR BY CH CR CY CZ DE DJ DK DO EE EG ES FI FK FO FR GB GE GI GL GR GT HN HR HU IE "
    "IL IQ IS IT JO KW KZ LB LC LI LT LU LY MC MD ME MK MN MR MT MU NI NL NO OM PK PL PS PT QA RO RS RU SA SC SD SE "
    "SI SK SM SO ST SV TL TN TR UA VA VG XK YE".split()
)
# Two letters, two check digits, then 11-30 letters or digits, grouped by single spaces or dashes or not at all.
# Each unit is one character with at most one separator before it, so a text is split into units one way only.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ -]?[A-Za-z0-9]){11,30}")
_IBAN_SEPARATORS = re.compile(r"[ -]")

# Digit groups joined by a separator: "4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111",
# "4111/1111/1111/1111", "4111111111111111". Groups are maximal digit runs and a separator is one dash, dot or
# slash or a run of spaces, so a run of groups is read one way only.
_GROUP_SEPARATOR = r"(?: +|[./-])"
_DIGIT_GROUPS = re.compile(r"(?<![\w])\d+(?:" + _GROUP_SEPARATOR + r"\d+)*(?![\w])")
_SEPARATOR = re.compile(_GROUP_SEPARATOR)

# The groupings card issuers print: 4-4-4-4(-3) for most cards, 4-6-5 (Amex), 4-6-4 (Diners), 4-4-4-1..3 for
# 13-15 digit cards. Longest first, so a 19-digit card is not cut after its 16th digit.
_CARD_LAYOUTS = ((4, 4, 4, 4, 3), (4, 4, 4, 4), (4, 4, 4, 3), (4, 4, 4, 2), (4, 4, 4, 1), (4, 6, 5), (4, 6, 4))
_LONGEST_LAYOUT = max(len(layout) for layout in _CARD_LAYOUTS)

# +44, +1, 0049, then blocks: "(0)20", "7946", "0958", or the whole number in one block ("+447700900123"). A block
# is a maximal digit run (or 1-5 digits in brackets) with at most one separator before it; how its digits divide
# into country code and groups is counted on the match (`_international_phone`), not searched for by the pattern.
_INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:\+|\b00)[1-9]\d{0,14}(?!\d)"
    r"(?:[ .-]?(?:\(\d{1,5}\)|\d{1,15}(?!\d))){0,7}"
)
# 07700 900123, 020 7946 0958: a trunk 0, an area code of 2-5 digits and groups of 2-4 digits, in blocks separated
# by a space, dot or dash ("05-06-2024" never starts a match: its first block is too short).
_NATIONAL_PHONE = re.compile(r"(?<![\w.,])0[1-9]\d{1,13}(?!\d)(?:[ .-]\d{1,13}(?!\d)){0,3}")
# (555) 123-4567, 555-123-4567, or 10 digits in one block (no order number, price or date is that long).
# Separators are all or nothing, so an order number before a year ("104233 2024") is not read as 3-3-4.
_NORTH_AMERICAN_PHONE = re.compile(
    r"(?<![\w.,])(?:\+?1[ .-]?)?(?:(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}|\d{10})(?![\w])"
)
_NUMBER_BLOCK = re.compile(r"\(\d+\)|\d+")
# UK and most trunk-0 countries: 0 + 9 or 10 digits; fewer is a date ("05062024") or a reference, not a phone.
_NATIONAL_DIGITS = (10, 11)
_INTERNATIONAL_GROUPS = (2, 7)  # country code aside, as the numbering plans print them: 1-5 digits each
_NATIONAL_GROUPS = (1, 3)  # area code aside: 2-4 digits each

# The cut at the cap may go through a card number: it and the digit groups before it go too (a card, IBAN,
# phone number or address written any way is shorter than this).
_CUT_TAIL_CHARACTERS = 100


def mask_personal_data(text: str) -> str:
    """Return `text`, cut to MAX_MESSAGE_CHARACTERS, with card numbers, IBANs, e-mail addresses and phone numbers
    replaced by placeholders."""
    if not text:
        return text
    masked = cut_to_cap(text)
    masked = EMAIL_PATTERN.sub(EMAIL_MASK, masked)
    masked = _SPELLED_EMAIL.sub(_mask_spelled_email, masked)
    masked = _replace_starts(_IBAN, masked, _iban_at)
    masked = _mask_cards(masked)
    return _mask_phones(masked)


def cut_to_cap(text: str) -> str:
    """`text` cut to MAX_MESSAGE_CHARACTERS. The word the cut went through goes too, with any digit groups before
    it, so no half card, IBAN or phone number is left where no rule would recognise it (cut a text that is to be
    masked with this, not with a plain slice)."""
    if len(text) <= MAX_MESSAGE_CHARACTERS:
        return text
    end = MAX_MESSAGE_CHARACTERS
    floor = end - _CUT_TAIL_CHARACTERS
    while end > floor and not text[end - 1].isspace():
        end -= 1
    while end > floor and (text[end - 1].isspace() or text[end - 1].isdigit() or text[end - 1] in "+-./()"):
        end -= 1
    return text[:end]


def passes_luhn(digits: str) -> bool:
    """The check digit test every payment card number passes (ISO/IEC 7812); False for anything but digits."""
    if not digits.isdecimal():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_valid_iban(text: str) -> bool:
    """Whether `text` (spaces and dashes allowed) is an IBAN: a registry country, 15-34 letters or digits, and the
    ISO 13616 check (the number read with A=10 ... Z=35, its first four characters moved to the end, is 1 mod 97)."""
    compact = _IBAN_SEPARATORS.sub("", text[: 2 * IBAN_MAX_CHARACTERS]).upper()
    if not (
        IBAN_MIN_CHARACTERS <= len(compact) <= IBAN_MAX_CHARACTERS
        and compact.isascii()
        and compact.isalnum()
        and _iban_head_is_valid(compact[:4])
    ):
        return False
    return _mod97(compact[:4], _mod97(compact[4:])) == 1


def _iban_head_is_valid(head: str) -> bool:
    return head[:2].upper() in _IBAN_COUNTRIES and head[2:4].isdigit() and 2 <= int(head[2:4]) <= 98


def _mod97(characters: str, remainder: int = 0) -> int:
    """The remainder mod 97 of `remainder` followed by `characters` read as a number (A=10 ... Z=35)."""
    for char in characters:
        remainder = (remainder * (100 if char.isalpha() else 10) + int(char, 36)) % 97
    return remainder


def _replace_starts(pattern: "re.Pattern[str]", text: str, decide: Callable[["re.Match[str]"], Tuple[int, str]]) -> str:
    """Like `pattern.sub`, but `decide` may replace just the start of a match: it returns how many characters of
    the match to replace and with what, or (0, "") to leave it. The text after what was replaced (or after the
    start of a match left alone) is searched again, so "phone, then an order number" masks the phone and a
    second number right after the first is found too. Matches are short, so every character is looked at a
    bounded number of times."""
    pieces: List[str] = []
    done = search_from = 0
    while True:
        match = pattern.search(text, search_from)
        if match is None:
            break
        length, replacement = decide(match)
        if length > 0:
            pieces += [text[done : match.start()], replacement]
            done = search_from = match.start() + length
        else:
            search_from = match.start() + 1
    pieces.append(text[done:])
    return "".join(pieces)


def _followed_by_word(text: str, end: int) -> bool:
    return end < len(text) and (text[end].isalnum() or text[end] == "_")


def _mask_spelled_email(match: "re.Match[str]") -> str:
    if match.group("at").strip().lower() == "at":  # a bare "at": the rest must look like an address
        if _PLAIN_DOMAIN.fullmatch(match.group("domain")):
            if match.group("domain").split(".", 1)[0].lower() not in _MAIL_PROVIDERS:
                return match.group(0)
        elif match.group("tld").lower() not in _COMMON_TLDS:
            return match.group(0)
    return EMAIL_MASK


def _iban_at(match: "re.Match[str]") -> Tuple[int, str]:
    """The longest start of the match, ending at a group boundary, that is a valid IBAN (one pass over it)."""
    candidate = match.group(0).upper()
    if not _iban_head_is_valid(candidate[:4]):
        return 0, ""
    head = candidate[:4]
    remainder, length, best = 0, 4, 0
    for position in range(4, len(candidate) + 1):
        at_end = position == len(candidate)
        char = "" if at_end else candidate[position]
        if char in " -" if char else not _followed_by_word(match.string, match.end()):
            if length >= IBAN_MIN_CHARACTERS and _mod97(head, remainder) == 1:
                best = position
        elif char:
            remainder = (remainder * (100 if char > "9" else 10) + int(char, 36)) % 97
            length += 1
    return (best, IBAN_MASK) if best else (0, "")


def _is_card_number(digits: str) -> bool:
    return CARD_MIN_DIGITS <= len(digits) <= CARD_MAX_DIGITS and passes_luhn(digits)


def _mask_cards(text: str) -> str:
    return _DIGIT_GROUPS.sub(lambda match: _mask_cards_in_groups(match.group(0), match.start(), text), text)


def _mask_cards_in_groups(run: str, start: int, text: str) -> str:
    """Mask the card-shaped stretches of one run of digit groups ("104233 4111 1111 1111 1111" holds one).

    Only a single block or a printed card layout counts: letting any grouping add up to 13-19 digits would
    let an order number next to a date ("104233 2024-03-15") pass the Luhn check one time in ten.
    """
    groups = _SEPARATOR.split(run)
    separators = _SEPARATOR.findall(run)
    # After a "+" the first group is a country code, and no card starts there ("+4915112345009" is a phone number
    # however its digits add up); a card typed after the phone number ("+44 20 7946 0958 4111...") still counts.
    first = 1 if start > 0 and text[start - 1] == "+" else 0
    pieces: List[str] = []
    index = 0
    while index < len(groups):
        width = _card_window_at(groups, index) if index >= first else 0
        pieces.append(CARD_MASK if width else groups[index])
        index += max(width, 1)
        if index < len(groups):
            pieces.append(separators[index - 1])
    return "".join(pieces)


def _card_window_at(groups: Sequence[str], index: int) -> int:
    """How many groups from `index` form a Luhn-valid card number (0 when none do); longest layout wins."""
    if _is_card_number(groups[index]):
        return 1
    if len(groups[index]) != 4:  # every printed layout starts with four digits
        return 0
    lengths = tuple(len(group) for group in groups[index : index + _LONGEST_LAYOUT])
    for layout in _CARD_LAYOUTS:
        if lengths[: len(layout)] == layout and _is_card_number("".join(groups[index : index + len(layout)])):
            return len(layout)
    return 0


def _mask_phones(text: str) -> str:
    masked = _replace_starts(_INTERNATIONAL_PHONE, text, _international_phone)
    masked = _NORTH_AMERICAN_PHONE.sub(PHONE_MASK, masked)
    return _replace_starts(_NATIONAL_PHONE, masked, _national_phone)


def _international_phone(match: "re.Match[str]") -> Tuple[int, str]:
    prefix = 2 if match.group(0).startswith("00") else 1  # the dialling prefix is not part of the number
    return _longest_phone(match, prefix, _is_international_number)


def _is_international_number(blocks: Sequence[str]) -> bool:
    """8-15 digits after + or 00, a country code of 1-4 digits and 2-7 groups of 1-5 digits after it."""
    digits = sum(len(block.strip("()")) for block in blocks)
    return PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS and _international_groups_fit(blocks)


def _international_groups_fit(blocks: Sequence[str]) -> bool:
    first = len(blocks[0])
    choices: List[Iterable[int]] = [
        {groups for country in range(1, min(4, first) + 1) for groups in _splits(first - country, 1, 5)}
    ]
    choices += [(1,) if block.startswith("(") else _splits(len(block), 1, 5) for block in blocks[1:]]
    return _can_total(choices, *_INTERNATIONAL_GROUPS)


def _national_phone(match: "re.Match[str]") -> Tuple[int, str]:
    return _longest_phone(match, 0, _is_national_number)


def _is_national_number(blocks: Sequence[str]) -> bool:
    """10-11 digits, a trunk 0 and an area code of 2-5 digits (its first not 0), then 1-3 groups of 2-4 digits."""
    return sum(len(block) for block in blocks) in _NATIONAL_DIGITS and _national_groups_fit(blocks)


def _longest_phone(match: "re.Match[str]", prefix: int, is_number: Callable[[Sequence[str]], bool]) -> Tuple[int, str]:
    """The longest start of the match (its number blocks from `prefix` on) that `is_number` and that does not run
    into a word: (its end, the mask), or (0, "") when no start is a phone number."""
    blocks = list(_NUMBER_BLOCK.finditer(match.group(0), prefix))
    for count in range(len(blocks), 0, -1):
        end = blocks[count - 1].end()
        if not _followed_by_word(match.string, match.start() + end) and is_number(
            [block.group(0) for block in blocks[:count]]
        ):
            return end, PHONE_MASK
    return 0, ""


def _national_groups_fit(blocks: Sequence[str]) -> bool:
    first = len(blocks[0])
    choices: List[Iterable[int]] = [
        {groups for area in range(2, 6) if first - 1 - area >= 0 for groups in _splits(first - 1 - area, 2, 4)}
    ]
    choices += [_splits(len(block), 2, 4) for block in blocks[1:]]
    return _can_total(choices, *_NATIONAL_GROUPS)


def _splits(digits: int, smallest: int, largest: int) -> range:
    """The numbers of groups of `smallest` to `largest` digits that `digits` digits divide into (none: empty)."""
    if digits == 0:
        return range(0, 1)
    return range(-(-digits // largest), digits // smallest + 1)


def _can_total(choices: Sequence[Iterable[int]], low: int, high: int) -> bool:
    """Whether one number from each of `choices` can add up to something from `low` to `high`."""
    totals = {0}
    for options in choices:
        totals = {total + option for total in totals for option in options if total + option <= high}
    return any(total >= low for total in totals)
