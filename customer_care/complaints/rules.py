"""The rule engine: spaCy's blank English pipeline with the own lemma table and the sentencizer, and every
rule of customer_care.complaints.patterns compiled into a Matcher or, when it is a plain phrase, a PhraseMatcher.
"""

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union, cast

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from customer_care.complaints.lexicon import FUNCTION_WORDS, NEAR_MISS_WORDS, VAGUE_WORDS, TypoCorrector, lemma_table
from customer_care.complaints.model import IssueCategory, Severity
from customer_care.complaints.patterns import (
    CATEGORY_RULES,
    FILLER_RULES,
    GAP_BLOCKERS,
    IMPERATIVE_VERBS,
    OPENER_RULES,
    REMEDIES,
    SEVERITY_PHRASES,
    SEVERITY_RULES,
    TYPO_PRONE_KEYWORDS,
    WORD_SETS,
)


@dataclass(frozen=True)
class Rule:
    kind: str  # "category", "severity", "remedy", "filler" or "opener"
    label: Union[IssueCategory, Severity, str, None]
    weight: int = 0
    as_order: bool = False  # a remedy that is asked for when it opens a sentence: "Refund me now"


@dataclass(frozen=True)
class RuleMatch:
    rule: Rule
    start: int
    end: int


def compile_pattern(notation: str) -> List[Dict[str, Any]]:
    pattern: List[Dict[str, Any]] = []
    for term in notation.split():
        if term.startswith("..."):
            limit = term[3:] or "4"
            pattern.append({"IS_PUNCT": False, "LEMMA": {"NOT_IN": GAP_BLOCKERS}, "OP": f"{{0,{limit}}}"})
            continue
        optional = len(term) > 1 and term.endswith("?")
        term = term[:-1] if optional else term
        if term.startswith("="):
            attribute, options = "LOWER", term[1:].split("|=")
        elif term.startswith("@"):
            attribute, options = "LEMMA", sorted(WORD_SETS[term[1:]])
        else:
            attribute, options = "LEMMA", term.split("|")
        token: Dict[str, Any] = {attribute: options[0] if len(options) == 1 else {"IN": options}}
        if optional:
            token["OP"] = "?"
        pattern.append(token)
    return pattern


def _all_rules() -> Iterator[Tuple[Rule, str]]:
    for category, weight, notation in CATEGORY_RULES:
        yield Rule("category", category, weight), notation
    for severity, notation in SEVERITY_RULES:
        yield Rule("severity", severity), notation
    for remedy, notation, as_order in REMEDIES:
        yield Rule("remedy", remedy, as_order=as_order), notation
    for notation in FILLER_RULES:
        yield Rule("filler", None), notation
    for notation in OPENER_RULES:
        yield Rule("opener", None), notation


def _lemma_terms(notation: str) -> Iterator[str]:
    for term in notation.split():
        term = term.rstrip("?")
        if term[:1] not in ("=", "@", "."):
            yield from term.split("|")


def _rule_vocabulary() -> Iterator[str]:
    """Every lemma a rule mentions, so the lemma table knows all their inflections."""
    for _, notation in _all_rules():
        yield from _lemma_terms(notation)
    for word_set in WORD_SETS.values():
        yield from word_set
    yield from IMPERATIVE_VERBS


class RuleLemmatizer:
    """Sets each token's lemma from the generated table; a one-typo misspelling of a keyword gets the keyword's
    lemma, and spelling() tells how it should have been written."""

    MAX_REMEMBERED_WORDS = 10_000  # bounded memory on a long-running server

    def __init__(self) -> None:
        self._table = lemma_table(_rule_vocabulary())
        known = set(self._table) | FUNCTION_WORDS | VAGUE_WORDS | NEAR_MISS_WORDS | STOP_WORDS
        typo_prone = [form for form, lemma in self._table.items() if lemma in TYPO_PRONE_KEYWORDS]
        self._corrector = TypoCorrector(typo_prone, known)
        self._spellings: Dict[str, Optional[str]] = {}

    def spelling(self, lower: str) -> Optional[str]:
        """The keyword form a misspelled word stands for ("recieved" -> "received"); None if not a typo."""
        if lower in self._table or len(lower) > self._corrector.max_length:  # too long to be a keyword's typo
            return None
        if lower not in self._spellings:
            if len(self._spellings) > self.MAX_REMEMBERED_WORDS:
                self._spellings.clear()
            self._spellings[lower] = self._corrector.correct(lower)
        return self._spellings[lower]

    def lemma(self, lower: str) -> str:
        found = self._table.get(lower)
        if found is not None:
            return found
        spelling = self.spelling(lower)
        return self._table[spelling] if spelling else lower

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            token.lemma_ = self.lemma(token.lower_)
        return doc


@Language.factory("larkspur_complaint_lemmas")
def _create_lemmatizer(nlp: Language, name: str) -> RuleLemmatizer:
    return RuleLemmatizer()


class ComplaintRules:
    """The pipeline and every matcher, built once per process.

    Rules that are plain phrases go to PhraseMatchers, whose cost hardly grows with the number of phrases;
    only rules with optional tokens, gaps, word sets or sentence starts need the token Matcher.
    """

    def __init__(self) -> None:
        self.nlp = spacy.blank("en")
        self.lemmatizer = cast(RuleLemmatizer, self.nlp.add_pipe("larkspur_complaint_lemmas"))
        self.nlp.add_pipe("sentencizer")
        self._matcher = Matcher(self.nlp.vocab)
        self._phrase_matchers = {
            attribute: PhraseMatcher(self.nlp.vocab, attr=attribute) for attribute in ("LEMMA", "LOWER")
        }
        self._rules: Dict[int, Rule] = {}
        for number, (rule, notation) in enumerate(_all_rules()):
            key = f"{rule.kind}:{rule.label}:{number}"
            self._rules[self.nlp.vocab.strings.add(key)] = rule
            phrases = _as_phrases(notation)
            if phrases is None:
                self._matcher.add(key, [compile_pattern(notation)])
            else:
                attribute, word_lists = phrases
                self._phrase_matchers[attribute].add(key, [self._phrase_doc(attribute, w) for w in word_lists])
        for severity, texts in SEVERITY_PHRASES.items():
            key = f"severity:{severity}:phrases"
            self._rules[self.nlp.vocab.strings.add(key)] = Rule("severity", severity)
            self._phrase_matchers["LOWER"].add(key, [self.nlp.make_doc(text) for text in texts])

    def _phrase_doc(self, attribute: str, phrase_words: List[str]) -> Doc:
        doc = Doc(self.nlp.vocab, words=phrase_words)
        if attribute == "LEMMA":
            for token, word in zip(doc, phrase_words, strict=True):
                token.lemma_ = word
        return doc

    def matches(self, doc: Doc) -> List[RuleMatch]:
        """All rule matches, the longest per rule and start token, in text order."""
        if not len(doc):
            return []
        found = list(self._matcher(doc))
        for phrase_matcher in self._phrase_matchers.values():
            found.extend(phrase_matcher(doc))
        longest: Dict[Tuple[int, int], RuleMatch] = {}
        for key, start, end in found:
            if (key, start) not in longest or longest[(key, start)].end < end:
                longest[(key, start)] = RuleMatch(self._rules[key], start, end)
        return sorted(longest.values(), key=lambda match: (match.start, match.end))


def _as_phrases(notation: str) -> Optional[Tuple[str, List[List[str]]]]:
    """("LEMMA", [["catch", "fire"], ["on", "fire"]]) for "catch|on fire"; None when it needs the Matcher."""
    terms = notation.split()
    if any(term.startswith(("...", "@")) or (len(term) > 1 and term.endswith("?")) for term in terms):
        return None
    attributes = {"LOWER" if term.startswith("=") else "LEMMA" for term in terms}
    if len(attributes) > 1:
        return None
    options = [term[1:].split("|=") if term.startswith("=") else term.split("|") for term in terms]
    return attributes.pop(), [list(phrase) for phrase in itertools.product(*options)]


@lru_cache(maxsize=1)
def complaint_rules() -> ComplaintRules:
    return ComplaintRules()
