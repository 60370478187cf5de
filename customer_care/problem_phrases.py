"""The problem phrases many issue-log entries share, for the frequent-issues report.

Deliberately simple so anyone can see why a phrase is listed: lower-case each paraphrase, cut it at punctuation,
drop stop words, and count the 2- and 3-word sequences left. Each entry counts a phrase once, so one customer
repeating themselves does not make a trend. Linear in the words of all entries (each entry cut to
MAX_MESSAGE_CHARACTERS first): the console computes the report for every request of its issues page.
"""

import re
from collections import Counter
from typing import Iterable, List, Mapping, Set, Tuple

from customer_care.text_limits import MAX_MESSAGE_CHARACTERS, capped

PHRASE_SIZES = (2, 3)

_STOP_WORDS = frozenset(
    """
    a an the this that these those there here some any each every all both
    i me my mine myself we us our ours you your yours yourself he him his she her hers it its they them their
    am is are was were be been being have has had having do does did doing will would shall should can could
    may might must get got gets getting
    and or but if then than so because as of at by for with about into onto from to in on off up out over
    under again also just really very too quite only even already yet
    what which who whom whose when where why how
    please thanks thank hi hello hey dear ok okay yes
    """.split()
)
# Paraphrases are written about the customer ("Customer says the parcel arrived damaged"); these words frame
# every entry and say nothing about the problem.
_PARAPHRASE_FRAME_WORDS = frozenset("customer customers says said reports reported states stated claims wants".split())
_IGNORED_WORDS = _STOP_WORDS | _PARAPHRASE_FRAME_WORDS

_MASK_PLACEHOLDER = re.compile(r"\[(?:card|email|iban|phone)\]")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]\"\n]+")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def problem_phrases(texts: Iterable[str], limit: int = 10, min_count: int = 2) -> List[Tuple[str, int]]:
    """The `limit` most common 2-3 word phrases across `texts`, each with the number of texts holding it.

    A phrase must appear in at least `min_count` texts to be "common". A shorter phrase found exactly as often
    as a longer one containing it ("arrived damaged" inside "item arrived damaged") is left out as a repeat.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_phrases_in(text))
    common = {phrase: count for phrase, count in counts.items() if count >= min_count}
    repeats = _repeats_of_longer(common)
    kept = [(phrase, count) for phrase, count in common.items() if phrase not in repeats]
    kept.sort(key=lambda item: (-item[1], -len(item[0].split()), item[0]))
    return kept[:limit]


def _phrases_in(text: str) -> Set[str]:
    phrases: Set[str] = set()
    for clause in _CLAUSE_BREAK.split(_MASK_PLACEHOLDER.sub(" . ", capped(text, MAX_MESSAGE_CHARACTERS).lower())):
        words = _content_words(clause)
        for size in PHRASE_SIZES:
            phrases.update(" ".join(words[start : start + size]) for start in range(len(words) - size + 1))
    return phrases


def _content_words(clause: str) -> List[str]:
    words = [_without_contraction(word) for word in _WORD.findall(clause)]
    return [word for word in words if word not in _IGNORED_WORDS]


def _without_contraction(word: str) -> str:
    # "hasn't", "can't", "cannot" all become "not": the negation is the complaint ("not arrived"). Other
    # endings go: "driver's" counts as "driver", "I'm" as "I" (a stop word).
    if word.endswith("n't") or word == "cannot":
        return "not"
    return word.split("'", 1)[0]


def _repeats_of_longer(common: Mapping[str, int]) -> Set[str]:
    """The phrases found exactly as often as a longer phrase holding them ("arrived damaged" in "item arrived
    damaged"). Each phrase is compared with the few shorter phrases inside it, not with every other phrase, so
    the work grows with the number of phrases, not with its square."""
    repeats: Set[str] = set()
    for phrase, count in common.items():
        words = phrase.split()
        for size in range(min(PHRASE_SIZES), len(words)):
            for start in range(len(words) - size + 1):
                shorter = " ".join(words[start : start + size])
                if common.get(shorter) == count:
                    repeats.add(shorter)
    return repeats
