"""From a customer's message to a ComplaintAnalysis: paraphrase, category, severity, specificity, remedy."""

import logging
import re
from typing import Dict, FrozenSet, List, Set, Tuple

from spacy.tokens import Doc, Span

from customer_care.complaints.clauses import describes_problem, paraphrase_of, scored_clauses
from customer_care.complaints.cleaning import (
    MAX_INPUT_CHARS,
    count_profanity,
    normalise_text,
    remove_profanity,
    without_swear_words,
)
from customer_care.complaints.lexicon import ACRONYMS, ENGLISH_FUNCTION_WORDS, FOREIGN_FUNCTION_WORDS, words
from customer_care.complaints.model import ComplaintAnalysis, IssueCategory, Severity
from customer_care.complaints.patterns import WANT_CUES
from customer_care.complaints.rendering import word_count
from customer_care.complaints.rules import RuleMatch, complaint_rules
from customer_care.text_limits import capped

logger = logging.getLogger(__name__)

CONFIRMATION_FRAME = "So, if I understand correctly, {paraphrase}. Is that right?"

_GREETINGS = words("hi hello hey hiya heya howdy yo greetings hii hiii heyy helo hallo morning afternoon evening")
_SIGN_OFFS = words("thanks thank thx ty cheers ta regards many kind best warm yours sincerely")
_NEGATING = words("not never")
_SHOUTED_WORD = re.compile(r"\b[A-Z]{2,}\b")
_ANY_WORD = re.compile(r"[^\W\d_]+")
MIN_EXCLAMATIONS_FOR_ANGER = 3
MIN_SHOUTED_WORDS = 3
CATEGORY_SCORE_FOR_SPECIFIC = 2
MIN_PARAPHRASE_WORDS = 2


def analyse_complaint(text: str) -> ComplaintAnalysis:
    """Paraphrase, category, severity signals, specificity and wanted remedy of a customer's complaint."""
    try:
        return _analyse(text)
    except Exception:  # a chat turn must not fail on an input nobody foresaw; the log shows which rule to fix
        logger.exception("Complaint analysis failed on %r", text[:200] if isinstance(text, str) else text)
        return ComplaintAnalysis(
            raw_text=text,
            paraphrase="",
            confirmation="",
            category=IssueCategory.OTHER,
            severity=frozenset(),
            is_specific=False,
            wants=None,
        )


def confirmation_sentence(paraphrase: str) -> str:
    """ "So, if I understand correctly, <paraphrase>. Is that right?"; "" for an empty paraphrase."""
    return CONFIRMATION_FRAME.format(paraphrase=paraphrase) if paraphrase else ""


def _analyse(text: str) -> ComplaintAnalysis:
    read = capped(text, MAX_INPUT_CHARS)  # bounded work: the rest of a longer message is not read
    normalised = normalise_text(read)
    rules = complaint_rules()
    doc = rules.nlp(remove_profanity(normalised))
    matches = rules.matches(doc)
    dropped = _dropped_tokens(doc, matches)
    asked_for = [match for match in matches if match.rule.kind == "remedy" and _is_asked_for(doc, match, dropped)]
    clauses = scored_clauses(doc, dropped, matches, asked_for, rules.lemmatizer)
    category, category_score = _category(matches)
    english = _looks_english(doc)
    # Reassembling clauses can bring symbols next to letters and form something that reads as a masked swear
    # word ("X)$O" loses its bracket); this last pass makes sure none is ever echoed.
    paraphrase = without_swear_words(paraphrase_of(clauses)) if english else ""
    if word_count(paraphrase) < MIN_PARAPHRASE_WORDS:
        paraphrase = ""  # "So, if I understand correctly, broken." says nothing the customer would confirm
    return ComplaintAnalysis(
        raw_text=text,
        paraphrase=paraphrase,
        confirmation=confirmation_sentence(paraphrase),
        category=category,
        severity=_severity(matches, read, normalised),
        is_specific=english
        and (
            category_score >= CATEGORY_SCORE_FOR_SPECIFIC
            or any(describes_problem(doc, clause.tokens) for clause in clauses)
        ),
        wants=str(min(asked_for, key=lambda match: match.start).rule.label) if asked_for else None,
    )


# --- what to leave out ------------------------------------------------------------------------------------


def _dropped_tokens(doc: Doc, matches: List[RuleMatch]) -> Set[int]:
    """Fillers anywhere, and greetings, salutations and openers ("ok so", "well,") at a sentence start."""
    dropped: Set[int] = set()
    for match in matches:
        if match.rule.kind == "filler":
            dropped.update(range(match.start, match.end))
            if doc[match.start].lower_ in _SIGN_OFFS:
                dropped.update(_signature_after(doc, match.end))
    opener_ends: Dict[int, int] = {}
    for match in matches:
        if match.rule.kind == "opener":
            opener_ends[match.start] = max(match.end, opener_ends.get(match.start, 0))
    for sentence in doc.sents:
        position = sentence.start
        while position < sentence.end:
            if position in dropped or doc[position].is_punct:
                dropped.add(position)
                position += 1
                continue
            end = opener_ends.get(position)
            if end is None and doc[position].lower_ == "dear":
                end = _salutation_end(doc, position, sentence)
            if end is None:
                break
            if doc[position].lower_ in _GREETINGS and _is_name_before_punctuation(doc, end, sentence):
                end += 1  # "Hi Sarah,"
            dropped.update(range(position, end))
            position = end
    return dropped


def _signature_after(doc: Doc, start: int) -> range:
    """The name after "Thanks," or "Kind regards," when nothing else follows in the sentence."""
    end = doc[start - 1].sent.end
    rest = [doc[position] for position in range(start, end)]
    is_signature = all(token.is_title or token.is_punct for token in rest)
    return range(start, end) if is_signature and sum(not token.is_punct for token in rest) <= 3 else range(0)


def _salutation_end(doc: Doc, start: int, sentence: Span) -> int:
    """ "Dear Sir/Madam," or "Dear Larkspur team" on a line of its own."""
    limit = min(sentence.end, start + 7)
    for position in range(start + 1, limit):
        if doc[position].text in (",", ":", "!"):
            return position + 1
    return sentence.end if sentence.end <= limit else start + 1


def _is_name_before_punctuation(doc: Doc, position: int, sentence: Span) -> bool:
    return position + 1 < sentence.end and doc[position].is_title and doc[position + 1].text in (",", "!", "-")


def _is_asked_for(doc: Doc, match: RuleMatch, dropped: Set[int]) -> bool:
    """ "I'd like a refund", "Refund me please", "..., cancel my order", "can I get a new one"; not "I don't want a
    refund" or "I got a replacement"."""
    sentence = doc[match.start].sent
    opens_clause = all(position in dropped for position in range(sentence.start, match.start)) or (
        match.start > sentence.start and doc[match.start - 1].text == ","
    )
    if match.rule.as_order and opens_clause:
        return True
    if any(token.lower_ == "please" for token in doc[match.end : min(match.end + 3, sentence.end)]):
        return True
    for position in range(match.start - 1, max(sentence.start, match.start - 7) - 1, -1):
        token = doc[position]
        if token.is_punct:
            return False
        if token.lower_ in WANT_CUES:
            return not (position > sentence.start and doc[position - 1].lemma_ in _NEGATING)
    return False


# --- category, severity, language ---------------------------------------------------------------------------


def _category(matches: List[RuleMatch]) -> Tuple[IssueCategory, int]:
    """The category with the highest total weight; on a tie the one mentioned first."""
    totals: Dict[IssueCategory, int] = {}
    first_mention: Dict[IssueCategory, int] = {}
    for match in matches:
        if match.rule.kind == "category" and isinstance(match.rule.label, IssueCategory):
            totals[match.rule.label] = totals.get(match.rule.label, 0) + match.rule.weight
            first_mention.setdefault(match.rule.label, match.start)
    if not totals:
        return IssueCategory.OTHER, 0
    best = max(totals, key=lambda category: (totals[category], -first_mention[category]))
    return best, totals[best]


def _severity(matches: List[RuleMatch], raw_text: str, normalised: str) -> FrozenSet[Severity]:
    signals = {match.rule.label for match in matches if isinstance(match.rule.label, Severity)}
    if (
        count_profanity(normalised)
        or _is_shouting(normalised)
        or capped(raw_text, MAX_INPUT_CHARS).count("!") >= MIN_EXCLAMATIONS_FOR_ANGER
    ):
        signals.add(Severity.ANGER)
    return frozenset(signals)


def _is_shouting(text: str) -> bool:
    shouted = [word for word in _SHOUTED_WORD.findall(text) if word not in ACRONYMS]
    return len(shouted) >= MIN_SHOUTED_WORDS and 2 * len(shouted) >= len(_ANY_WORD.findall(text))


def _looks_english(doc: Doc) -> bool:
    """Mostly Latin letters and at least as many English as other languages' function words."""
    lowers = [token.lower_ for token in doc if token.is_alpha]
    letters = "".join(lowers)
    if not letters or sum(char.isascii() for char in letters) * 2 < len(letters):
        return False
    english = sum(lower in ENGLISH_FUNCTION_WORDS for lower in lowers)
    return english >= sum(lower in FOREIGN_FUNCTION_WORDS for lower in lowers)
