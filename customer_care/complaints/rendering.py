"""Words as the agent says them: the Word a clause is built of, and rendering clauses as readable text.

A clause is a list of Words (a token's text, its spacing and where it came from in the customer's message);
render() makes it one tidy clause, shortened() caps it at a readable length and joined() lists several.
"""

import re
from dataclasses import dataclass, replace
from typing import List, Optional, Sequence

from customer_care.complaints.lexicon import ACRONYMS, PROPER_NOUNS, words
from customer_care.text_limits import MAX_ANALYSIS_CHARACTERS, capped

MAX_WORDS = 28
MIN_WORDS_BEFORE_CUT = 8


@dataclass(frozen=True)
class Word:
    text: str
    space_after: str = " "
    index: Optional[int] = None  # token position in the analysed doc; None for wording the agent adds
    in_agent_voice: bool = False  # added by the agent or already converted: perspective flipping skips it

    @property
    def lower(self) -> str:
        return self.text.lower()


def respaced(sentence: List[Word]) -> List[Word]:
    """Words keep their original spacing only next to their original neighbour (not after a dropped or moved
    word)."""
    spaced = []
    for position, word in enumerate(sentence):
        following = sentence[position + 1] if position + 1 < len(sentence) else None
        adjacent = following is not None and word.index is not None and following.index == word.index + 1
        spaced.append(word if adjacent else replace(word, space_after=" "))
    return spaced


# --- rendering --------------------------------------------------------------------------------------------

# Each starts only where a run of spaces (or the commas' run) starts, not again at every space inside it.
_SPACE_BEFORE = re.compile(r"(?<!\s)\s+(?=[,.;:!?%)\]]|n't\b|'s\b|'re\b|'ve\b|'ll\b|'d\b|'m\b)")
_SPACE_AFTER_OPENING = re.compile(r"([(\[])\s+")
_REPEATED_COMMAS = re.compile(r"(?<!\s)(?:\s*,){2,}")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = " ,;:.!?-"
CLAUSE_STARTERS = words(
    "and but so because which who when while although though then as since after before until cos or if"
)
_DANGLING = words(
    "and but or so because the a an to of with for in on at my your our their his her its that "
    "which when then as while than from by is was are were be been not very really just also who "
    "if about into this these those i we they he she"
)


def render(sentence: Sequence[Word]) -> str:
    """The words as one clause: lower-case start unless a name, no shouting, tidy punctuation."""
    texts = [_unshouted(word.text) for word in sentence]
    if texts and _starts_with_common_word(texts):
        texts[0] = texts[0][0].lower() + texts[0][1:]
    text = "".join(text + word.space_after for text, word in zip(texts, sentence, strict=True))
    text = _SPACE_BEFORE.sub("", text)
    text = _SPACE_AFTER_OPENING.sub(r"\1", text)
    text = _REPEATED_COMMAS.sub(",", text)
    for opening, closing in ("()", "[]"):
        if text.count(opening) != text.count(closing):
            text = text.replace(opening, "").replace(closing, "")
    if text.count('"') % 2:
        text = text.replace('"', "")
    return _SPACES.sub(" ", text).strip(_EDGE_PUNCTUATION)


def with_common_start(sentence: List[Word]) -> List[Word]:
    """The sentence's first word in lower case unless it is a name, so it can move inside a clause."""
    texts = [word.text for word in sentence]
    if texts and _starts_with_common_word(texts):
        return [replace(sentence[0], text=texts[0][0].lower() + texts[0][1:])] + sentence[1:]
    return sentence


def _unshouted(text: str) -> str:
    return text.lower() if len(text) > 1 and text.isupper() and text.isalpha() and text not in ACRONYMS else text


def _starts_with_common_word(texts: List[str]) -> bool:
    """ "My parcel" starts with a capital only because it starts the sentence; "Royal Mail" and "Evri" are names."""
    first = texts[0]
    if not first[:1].isupper() or first in PROPER_NOUNS or first.isupper() and len(first) > 1:
        return False
    following = texts[1] if len(texts) > 1 else ""
    return not (following[:1].isupper() and following != "I")


def word_count(text: str) -> int:
    return sum(1 for token in capped(text, MAX_ANALYSIS_CHARACTERS).split() if any(char.isalnum() for char in token))


def shortened(text: str, max_words: int = MAX_WORDS) -> str:
    """Cut at the last clause boundary that fits, else at the limit; never end on "and", "the", "to"..."""
    text = capped(text, MAX_ANALYSIS_CHARACTERS)
    tokens = text.split()
    if len(tokens) <= max_words:
        return text
    cut = max_words
    for position in range(max_words, MIN_WORDS_BEFORE_CUT - 1, -1):
        if tokens[position - 1].endswith((",", ";", ":")) or tokens[position].lower() in CLAUSE_STARTERS:
            cut = position
            break
    kept = tokens[:cut]
    while kept and (kept[-1].lower().strip(",;:") in _DANGLING or kept[-1] == "-"):
        kept.pop()
    if len(kept) >= 2 and kept[-1].lower() in ("you", "it") and kept[-2].lower() in CLAUSE_STARTERS:
        kept = kept[:-2]
    return " ".join(kept).strip(_EDGE_PUNCTUATION)


def joined(clauses: Sequence[str]) -> str:
    """ "a, b and c"."""
    clauses = [capped(clause, MAX_ANALYSIS_CHARACTERS) for clause in clauses]
    if len(clauses) <= 1:
        return "".join(clauses)
    last = clauses[-1]
    joiner = ", " if last.split(" ", 1)[0].lower() in CLAUSE_STARTERS else " and "
    return ", ".join(clauses[:-1]) + joiner + last
