"""Rewording a customer's sentence in the agent's voice.

Two steps on a list of words: questions and orders become statements ("why haven't I got my refund?" ->
"I haven't got my refund"), then the perspective flips (customer I -> you, shop you -> we). Rendering the words
as one clause, capped at a readable length, is customer_care.complaints.rendering's job.
"""

from dataclasses import replace
from typing import List, Optional, Sequence, Set

from customer_care.complaints.lexicon import (
    SLANG,
    looks_like_gerund,
    looks_like_participle,
    past_tense,
    third_person,
    words,
)
from customer_care.complaints.patterns import IMPERATIVE_VERBS
from customer_care.complaints.rendering import Word, respaced
from customer_care.text_limits import MAX_ANALYSIS_CHARACTERS, capped

WH_WORDS = words("what where when why how who which")
_WH_ASKING_FOR_SUBJECT = words("what who which")
_WH_ASKING_FOR_PREDICATE = words("why how")
HOW_PHRASES = words("long much many soon often far")
BE_FORMS = words("am is are was were 's 're 'm")
AUXILIARIES = words(
    "am is are was were 's 're 'm have has had 've do does did can could will would shall should "
    "may might must ca wo 'll 'd ai"
)
NEGATIONS = words("n't not")
_EXPANDED_CONTRACTIONS = {"'s": "is", "'re": "are", "'m": "am", "'ve": "have", "'ll": "will", "'d": "would"}
SUBJECT_PRONOUNS = words(
    "i you u we they he she it there someone somebody nobody noone anyone anybody everyone everybody"
)
DEMONSTRATIVES = words("this that these those")
GROUP_NOUNS = words("guys people lot lads folks all")
DETERMINERS = words("my your our the a an his her their its this that these those some any ur")
# A subject noun phrase ("my order from last week") ends before one of these.
_SUBJECT_ENDINGS = (
    NEGATIONS
    | AUXILIARIES
    | words("still yet even ever already never just really actually always so too been being because and but or")
)
# A preposition ends the subject only when nothing clearer follows: "my order | in the depot" but
# "the handle on my new pan | already".
_PREPOSITIONS = words("in at on to with by into without since until after before")
_MAX_SUBJECT_WORDS = 8
ADVERBS = words(
    "just even never really actually also then still ever clearly obviously already only literally "
    "seriously honestly apparently basically always"
)
# After these, "you" starts a clause and is the subject ("when you", "did you", "and you").
_BEFORE_SUBJECT = (
    AUXILIARIES
    | NEGATIONS
    | words(
        "and but or so because cause cos coz cuz as since when while if that why how where what which who whether "
        "then until unless though although after before once think know hope guess bet believe feel reckon suppose "
        'realise realize say said , ; : - ( "'
    )
)
_VERBS_AFTER_SUBJECT = words(
    "keep always never promise said told sent lost refuse expect want need make give take "
    "charge send sell ship deliver say tell claim"
)
_MODAL_REQUESTS = words("can could will would ca wo")
_ASK_PERMISSION = words("can could may")
_HOW_TO_AUXILIARIES = words("do can should could")
_HOW_TO_QUESTIONS = words("how what who where")
_FIRST_PERSON_SUBJECTS = words("i we")
_SHOP_YOU = words("you u ya y'")

_CUSTOMER_TO_AGENT = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
}
_SHOP_TO_AGENT = {
    "your": "our",
    "ur": "our",
    "yr": "our",
    "yours": "ours",
    "yourself": "ourselves",
    "yourselves": "ourselves",
}
# "I was" -> "you were", "I'm" -> "you're": the verb has to agree with the new pronoun.
_BE_AFTER_YOU = {"am": "are", "'m": "'re", "was": "were"}
# "you" and "your" that mean anyone, not the shop: "save your money", "you'd think they'd test it". Kept as they are.
_GENERIC_YOU = (
    ("save", "your", "money"),
    ("save", "your", "cash"),
    ("save", "your", "time"),
    ("save", "yourself"),
    ("save", "yourselves"),
    ("you", "'d", "think"),
    ("you", "would", "think"),
    ("you", "'d", "expect"),
    ("you", "would", "expect"),
    ("you", "'d", "have", "thought"),
    ("you", "would", "have", "thought"),
    ("you", "'d", "imagine"),
    ("you", "know"),
    ("you", "see"),
    ("mind", "you"),
    ("if", "you", "ask", "me"),
    ("do", "n't", "waste", "your"),
    ("waste", "of", "your"),
    ("buyer", "beware"),
    ("you", "get", "what", "you", "pay"),
    ("you", "never", "know"),
    ("you", "'ve", "been", "warned"),
)
_AFTER_YOU_ARE = words("so not a an the being always never just really still too very joking kidding")


# --- questions and orders to statements -------------------------------------------------------------------


def agent_words(text: str) -> List[Word]:
    return [Word(word, in_agent_voice=True) for word in capped(text, MAX_ANALYSIS_CHARACTERS).split()]


def as_statement(sentence: List[Word], asked: bool) -> List[Word]:
    """A question or an order rewritten as a statement the customer would agree with."""
    return respaced(_as_statement(sentence, asked))


def _as_statement(sentence: List[Word], asked: bool) -> List[Word]:
    lowers = [word.lower for word in sentence]
    if len(sentence) < 2:
        return sentence
    commas = [position for position, lower in enumerate(lowers) if lower == ","]
    if commas and lowers[0] in WH_WORDS | AUXILIARIES:
        # "how long does a refund take, it's been 3 weeks": the question is the part before the comma
        return _as_statement(sentence[: commas[0]], asked=True) + sentence[commas[0] :]
    if commas and commas[-1] < len(sentence) - 1:
        last_part = lowers[commas[-1] + 1 :]
        if asked and len(last_part) > 1 and last_part[0] in WH_WORDS | AUXILIARIES or _is_order(last_part):
            # "I ordered two weeks ago, where is it?", "I'm done, cancel my order": the question or order is the
            # part after the comma
            return sentence[: commas[-1] + 1] + _as_statement(sentence[commas[-1] + 1 :], asked)
    if lowers[:2] == ["how", "come"]:
        return sentence[2:]
    if lowers[0] in WH_WORDS:
        return _wh_question(sentence, lowers)
    subject_at = 1 + (lowers[1] in NEGATIONS)
    inverted = subject_at < len(lowers) and lowers[subject_at] in SUBJECT_PRONOUNS
    if lowers[0] in AUXILIARIES and (asked or inverted):
        return _yes_no_question(sentence, lowers)
    if not asked and _is_order(lowers):
        return agent_words("you want us to") + sentence
    return sentence


def _is_order(lowers: Sequence[str]) -> bool:
    """ "Send me a new one" is an order; "Refund has not arrived" and "Change of address" are not."""
    if lowers[0] not in IMPERATIVE_VERBS:
        return False
    following = lowers[1] if len(lowers) > 1 else ""
    third_person_verb = following.endswith("s") and following not in ("us", "this", "his", "its")
    return following not in AUXILIARIES | {"of"} and not looks_like_participle(following) and not third_person_verb


def _wh_question(sentence: List[Word], lowers: List[str]) -> List[Word]:
    wh_length = 2 if lowers[0] == "how" and lowers[1] in HOW_PHRASES else 1
    asking = agent_words("you want to know")
    aux = wh_length
    if aux >= len(lowers) or lowers[aux] not in AUXILIARIES or _wh_is_subject(lowers, aux):
        # "what happened to my order", "what's wrong with it": the word order is already a statement's
        return sentence if lowers[0] == "why" else asking + sentence
    negated = aux + 1 < len(lowers) and lowers[aux + 1] in NEGATIONS
    subject_start = aux + 1 + negated
    if (
        lowers[0] in _HOW_TO_QUESTIONS
        and not negated
        and lowers[aux] in _HOW_TO_AUXILIARIES
        and subject_start + 1 < len(lowers)
        and lowers[subject_start] in _FIRST_PERSON_SUBJECTS
    ):
        # "how do I return this" -> "how to return this"
        return asking + sentence[:wh_length] + agent_words("to") + sentence[subject_start + 1 :]
    # "where is my order" asks for a place: the whole rest is the subject ("where your order is"); "how long
    # will my refund take" ends in its verb ("how long your refund will take").
    predicate_at_end = lowers[aux] not in BE_FORMS or lowers[0] in _WH_ASKING_FOR_PREDICATE
    statement = _uninvert(sentence, aux, subject_start, predicate_at_end)
    if statement is None:
        return asking + sentence  # "what's going on": nothing to move
    wh_phrase = sentence[:wh_length]
    return statement if lowers[0] == "why" else asking + wh_phrase + statement


def _yes_no_question(sentence: List[Word], lowers: List[str]) -> List[Word]:
    negated = lowers[1] in NEGATIONS
    subject_start = 1 + negated
    if subject_start >= len(lowers):
        return sentence
    subject = lowers[subject_start]
    if lowers[0] in _MODAL_REQUESTS and subject in _SHOP_YOU:
        # "can you send me a new one" -> "you want us to send me a new one"
        rest_start = subject_start + 1 + (subject_start + 1 < len(lowers) and lowers[subject_start + 1] in GROUP_NOUNS)
        return agent_words("you want us to") + sentence[rest_start:]
    if (
        lowers[0] in _ASK_PERMISSION
        and not negated
        and subject in _FIRST_PERSON_SUBJECTS
        and subject_start + 2 < len(lowers)
    ):
        # "can I get a refund" -> "you want a refund", "could I return it" -> "you want to return it"
        if lowers[subject_start + 1] in ("have", "get"):
            return agent_words("you want") + sentence[subject_start + 2 :]
        return agent_words("you want to") + sentence[subject_start + 1 :]
    statement = _uninvert(sentence, 0, subject_start, predicate_at_end=lowers[0] in BE_FORMS)
    if statement is None:
        return sentence
    return agent_words("you want to know whether") + statement


def _wh_is_subject(lowers: Sequence[str], aux: int) -> bool:
    """ "what is wrong" asks for the subject; "what is the delay" asks for the complement."""
    following = lowers[aux + 1] if aux + 1 < len(lowers) else ""
    return (
        lowers[0] in _WH_ASKING_FOR_SUBJECT
        and lowers[aux] in BE_FORMS
        and following not in DETERMINERS | SUBJECT_PRONOUNS
    )


def _uninvert(sentence: List[Word], aux: int, subject_start: int, predicate_at_end: bool) -> Optional[List[Word]]:
    """Subject before auxiliary: "[why] has my order not arrived" -> "my order has not arrived".

    With predicate_at_end, a subject that would run to the end leaves its last word as the predicate:
    "why is my parcel late" -> "my parcel is late" (but "where is my parcel" -> "where my parcel is").
    """
    subject_end = _subject_end(sentence, subject_start)
    if subject_end is None:
        return None
    if predicate_at_end and subject_end == len(sentence) and subject_end - subject_start >= 2:
        subject_end -= 1
    auxiliary = sentence[aux:subject_start]
    rest = sentence[subject_end:]
    aux_word = sentence[aux].lower
    if aux_word in ("do", "does", "did") and len(auxiliary) == 1:
        without_do = _without_do_support(aux_word, rest)
        if without_do is not None:
            return respaced(sentence[subject_start:subject_end] + without_do)
    if aux_word in _EXPANDED_CONTRACTIONS:
        full = _EXPANDED_CONTRACTIONS[aux_word]
        if aux_word == "'s" and rest and looks_like_participle(rest[0].lower):
            full = "has"  # "where's my parcel gone"
        auxiliary = [replace(sentence[aux], text=full)] + auxiliary[1:]
    return respaced(sentence[subject_start:subject_end] + auxiliary + rest)


def _subject_end(sentence: List[Word], start: int) -> Optional[int]:
    if start >= len(sentence):
        return None
    first = sentence[start].lower
    if first in SUBJECT_PRONOUNS:
        follows = start + 1 < len(sentence) and sentence[start + 1].lower in GROUP_NOUNS
        return start + 1 + (first in _SHOP_YOU and follows)
    if first in DEMONSTRATIVES and (start + 1 == len(sentence) or _ends_subject(sentence[start + 1].lower)):
        return start + 1
    if _ends_subject(first) or first in _PREPOSITIONS:
        return None
    preposition_at = None
    end = start + 1
    while end < len(sentence) and end - start < _MAX_SUBJECT_WORDS:
        lower = sentence[end].lower
        if not lower[:1].isalnum() and lower not in ("'s", "#"):
            break
        after_determiner = sentence[end - 1].lower in DETERMINERS
        if _ends_subject(lower) and not after_determiner:
            return end
        if lower in _PREPOSITIONS and preposition_at is None:
            preposition_at = end
        end += 1
    return preposition_at or end


def _ends_subject(lower: str) -> bool:
    return lower in _SUBJECT_ENDINGS or looks_like_participle(lower) or looks_like_gerund(lower)


def _without_do_support(aux_word: str, rest: List[Word]) -> Optional[List[Word]]:
    """ "(why) did you send" -> "you sent", "does the app crash" -> "the app crashes"; None for "did you not"."""
    verb_at = next((i for i, word in enumerate(rest) if word.lower not in ADVERBS), None)
    if verb_at is None or rest[verb_at].lower in NEGATIONS or not rest[verb_at].lower.isalpha():
        return None
    verb = rest[verb_at].lower
    inflected = past_tense(verb) if aux_word == "did" else third_person(verb) if aux_word == "does" else verb
    return rest[:verb_at] + [replace(rest[verb_at], text=inflected)] + rest[verb_at + 1 :]


# --- perspective ------------------------------------------------------------------------------------------


def to_agent_voice(sentence: List[Word]) -> List[Word]:
    """Customer first person -> you, the shop's second person -> we/us/our, with verb agreement."""
    lowers = [word.lower for word in sentence]
    generic = _generic_you_positions(lowers)
    result = [
        replace(word, in_agent_voice=True) if position in generic else word for position, word in enumerate(sentence)
    ]
    for position, word in enumerate(sentence):
        lower = lowers[position]
        if word.in_agent_voice or result[position].in_agent_voice:
            continue
        if lower == "us" and word.text == "US":  # the country
            continue
        if lower in _CUSTOMER_TO_AGENT:
            _set(result, position, _CUSTOMER_TO_AGENT[lower])
            if lower in ("i", "we"):
                _agree_with_you(result, lowers, position)
        elif lower in _SHOP_YOU:
            _convert_shop_you(result, lowers, position)
        elif lower in _SHOP_TO_AGENT:
            following = lowers[position + 1] if position + 1 < len(lowers) else ""
            _set(result, position, "we're" if lower == "ur" and _follows_you_are(following) else _SHOP_TO_AGENT[lower])
        elif lower == "r" and position and lowers[position - 1] in _SHOP_YOU | {"we", "they"}:
            _set(result, position, "are")
        elif lower in SLANG:
            _set(result, position, SLANG[lower])
    return [word for word in result if word.text]


def _generic_you_positions(lowers: Sequence[str]) -> Set[int]:
    """Positions inside a phrase where "you"/"your" means anyone ("save your money"); one pass, each position
    compared with the few fixed phrases."""
    positions: Set[int] = set()
    for start in range(len(lowers)):
        for phrase in _GENERIC_YOU:
            if tuple(lowers[start : start + len(phrase)]) == phrase:
                positions.update(range(start, start + len(phrase)))
    return positions


def _follows_you_are(lower: str) -> bool:
    """ "ur" is "you're" in "ur so useless" and "ur joking", "your" in "ur website"."""
    return lower in _AFTER_YOU_ARE or looks_like_gerund(lower) or looks_like_participle(lower)


def _set(result: List[Word], position: int, text: str) -> None:
    result[position] = replace(result[position], text=text, in_agent_voice=True)


def _agree_with_you(result: List[Word], lowers: List[str], position: int) -> None:
    """ "I was" -> "you were", and inverted "was I" / "wasn't I" -> "were you" / "weren't you"."""
    following = position + 1
    if following < len(lowers) and lowers[following] in ADVERBS:
        following += 1
    if following < len(lowers) and lowers[following] in _BE_AFTER_YOU and not result[following].in_agent_voice:
        _set(result, following, _BE_AFTER_YOU[lowers[following]])
    preceding = position - 1 - (position >= 2 and lowers[position - 1] in NEGATIONS)
    if preceding >= 0 and lowers[preceding] in ("am", "was") and not result[preceding].in_agent_voice:
        _set(result, preceding, _BE_AFTER_YOU[lowers[preceding]])


def _convert_shop_you(result: List[Word], lowers: List[str], position: int) -> None:
    """ "you sent me" -> "we sent", "I told you" -> "told us"; "you guys"/"you people" -> "we"."""
    next_position = position + 1
    if next_position < len(lowers) and lowers[next_position] in GROUP_NOUNS:
        _set(result, next_position, "")
        next_position += 1
    previous = next((lowers[i] for i in range(position - 1, -1, -1) if lowers[i] not in ADVERBS), None)
    following = next((lowers[i] for i in range(next_position, len(lowers)) if lowers[i] not in ADVERBS), "")
    is_subject = (
        previous is None
        or previous in _BEFORE_SUBJECT
        or following in AUXILIARIES
        or following in _VERBS_AFTER_SUBJECT
        or looks_like_participle(following)
    )
    _set(result, position, "we" if is_subject else "us")
    if is_subject and following == "was":
        was_at = lowers.index("was", next_position)
        _set(result, was_at, "were")
