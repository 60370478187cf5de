"""A complaint cut into clauses, each scored by how much of the problem it carries, and the paraphrase made of
the most telling ones.

The clauses are in the agent's voice already (customer_care.complaints.rephrase); a clause's score adds the
weights of the category rules it matches, asking for a remedy, serious signals, and describing something beyond
an announcement ("I want to make a complaint") or a verdict ("this is terrible").
"""

from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Token

from customer_care.complaints.lexicon import ENGLISH_FUNCTION_WORDS, FUNCTION_WORDS, VAGUE_WORDS, words
from customer_care.complaints.model import Severity
from customer_care.complaints.rendering import (
    CLAUSE_STARTERS,
    MAX_WORDS,
    Word,
    joined,
    render,
    respaced,
    shortened,
    with_common_start,
    word_count,
)
from customer_care.complaints.rephrase import as_statement, to_agent_voice
from customer_care.complaints.rules import RuleLemmatizer, RuleMatch

# "dont" and "Im" are split by the tokenizer into "do"+"nt" and "I"+"m"; the pieces get their apostrophe back.
_BARE_CLITICS = {"nt": "n't", "m": "'m", "ve": "'ve", "re": "'re", "d": "'d", "s": "'s", "ll": "'ll"}
_NOT_PROBLEM_WORDS = FUNCTION_WORDS | VAGUE_WORDS | STOP_WORDS
_SPLIT_PUNCTUATION = words(", ; : -")
_SPLIT_BEFORE = words("but because although though cos so")
# "and" starts a new clause before these ("and the box was crushed", "and when they came"), not in "a lamp and a rug"
_CLAUSE_SUBJECTS = words(
    "you we they it he she your our their the this that nobody no now then still someone when "
    "while after before since if"
)
_LEADING_CONJUNCTIONS = _SPLIT_BEFORE | words("and then also")
# What follows these is usually the problem itself, after the story of what the customer tried: "I followed all
# the directions, but it won't pair", "I reset it and now it still doesn't turn on", "however the screen stays
# black". Such a clause is always split off and always kept in the paraphrase.
_CONTRAST = words("but however yet still although though")
_CONTRAST_PAIRS = (("and", "now"), ("and", "still"), ("but", "still"))
PROBLEM_AFTER_CONTRAST_BONUS = 3
_WORDS_AROUND_BARE_REMEDY = words("want need a an my asap now")
MAX_WORD_CHARACTERS = 40  # anything longer is keyboard mashing or an identifier, not worth echoing


@dataclass(frozen=True)
class Clause:
    text: str  # rendered in the agent's voice
    tokens: FrozenSet[int]
    order: int
    sentence: int
    score: int  # how much of the problem, and of what the customer wants, the clause carries


def scored_clauses(
    doc: Doc, dropped: Set[int], matches: List[RuleMatch], asked_for: List[RuleMatch], lemmatizer: RuleLemmatizer
) -> List[Clause]:
    """The message's sentences without the `dropped` tokens, in the agent's voice, cut into clauses and scored."""
    pieces: List[Tuple[str, FrozenSet[int], int]] = []  # (text in the agent's voice, tokens, sentence number)
    # Each sentence looks only at the remedies asked for in it (in text order, as the sentences): comparing every
    # sentence with every remedy grew with the square of the message's length.
    remedies = iter(asked_for)
    upcoming = next(remedies, None)
    asked_here: List[RuleMatch] = []
    for sentence_number, sentence in enumerate(doc.sents):
        while upcoming is not None and upcoming.start < sentence.end:
            asked_here.append(upcoming)
            upcoming = next(remedies, None)
        asked_here = [match for match in asked_here if match.end > sentence.start]
        sentence_words = respaced(
            [
                _word(token, lemmatizer)
                for token in sentence
                if token.i not in dropped and len(token) <= MAX_WORD_CHARACTERS
            ]
        )
        asked = False
        while sentence_words and sentence_words[-1].text in ".!?,;:-":
            asked = asked or sentence_words[-1].text == "?"
            sentence_words.pop()
        sentence_words, bare_remedy = _without_bare_remedy(sentence_words, asked_here)
        if sentence_words:
            voiced = to_agent_voice(as_statement(with_common_start(sentence_words), asked))
            for clause in _split_clauses(voiced, at_conjunctions=word_count(render(voiced)) > MAX_WORDS):
                tokens = frozenset(word.index for word in clause if word.index is not None)
                pieces.append((render(clause), tokens, sentence_number))
        if bare_remedy is not None:
            tokens = frozenset(range(bare_remedy.start, bare_remedy.end))
            pieces.append((f"you want {bare_remedy.rule.label}", tokens, sentence_number))
    pieces = [piece for piece in pieces if piece[0]]
    scores = _scores(doc, [tokens for _, tokens, _ in pieces], matches, asked_for)
    return [
        Clause(text, tokens, order, sentence_number, score)
        for order, ((text, tokens, sentence_number), score) in enumerate(zip(pieces, scores, strict=True))
    ]


def _word(token: Token, lemmatizer: RuleLemmatizer) -> Word:
    """The token's text, with a keyword's typo fixed and a split contraction's apostrophe restored."""
    text = token.text
    previous = token.doc[token.i - 1] if token.i else None
    spelling = lemmatizer.spelling(token.lower_)
    if spelling:
        text = spelling.upper() if text.isupper() else spelling.capitalize() if text[0].isupper() else spelling
    elif previous is not None and not previous.whitespace_ and previous.is_alpha and token.lower_ in _BARE_CLITICS:
        text = _BARE_CLITICS[token.lower_]
    return Word(text, token.whitespace_, token.i)


def _without_bare_remedy(sentence: List[Word], asked_for: List[RuleMatch]) -> Tuple[List[Word], Optional[RuleMatch]]:
    """Splits off a last part that is nothing but a remedy ("..., refund please", "Want replacement."), to be said
    as "you want a refund"."""
    last_comma = max((position for position, word in enumerate(sentence) if word.text == ","), default=-1)
    tail = sentence[last_comma + 1 :]
    tail_tokens = {word.index for word in tail if word.lower not in _WORDS_AROUND_BARE_REMEDY}
    for match in asked_for:
        if tail and tail_tokens and tail_tokens <= set(range(match.start, match.end)):
            return sentence[: max(last_comma, 0)], match
    return sentence, None


def _split_clauses(sentence: List[Word], at_conjunctions: bool) -> List[List[Word]]:
    """The sentence cut at commas (and, when it is a long run-on, before conjunctions), so that a clause without
    the problem ("absolutely disgusting service, ...") can be left out. A clause keeps the comma or conjunction
    that opened it; pieces under three words stay with their neighbour."""
    pieces: List[List[Word]] = [[]]
    for position, word in enumerate(sentence):
        following = sentence[position + 1].lower if position + 1 < len(sentence) else ""
        at_conjunction = word.lower in _SPLIT_BEFORE or word.lower == "and" and following in _CLAUSE_SUBJECTS
        at_contrast = _starts_contrast(word.lower, following) and word_count(render(pieces[-1])) >= 3
        if pieces[-1] and (word.lower in _SPLIT_PUNCTUATION or at_conjunctions and at_conjunction or at_contrast):
            pieces.append([])
        pieces[-1].append(word)
    merged: List[List[Word]] = []
    for piece in pieces:
        if merged and (word_count(render(piece)) < 3 or word_count(render(merged[-1])) < 3):
            merged[-1] = merged[-1] + piece
        else:
            merged.append(piece)
    return merged


def _starts_contrast(lower: str, following: str) -> bool:
    return lower in _CONTRAST - words("still") or (lower, following) in _CONTRAST_PAIRS


def _carries_problem_after_contrast(doc: Doc, tokens: FrozenSet[int]) -> bool:
    """A clause opened by "but", "and now", "however", "yet" (or holding "still") that describes something."""
    if not tokens:
        return False
    ordered = sorted(tokens)
    lowers = [doc[position].lower_ for position in ordered if not doc[position].is_punct]
    if not lowers:
        return False
    opens = _starts_contrast(lowers[0], lowers[1] if len(lowers) > 1 else "")
    if not (opens or "still" in lowers):
        return False
    # "but could not get it to pair again": one content word is enough after a negation.
    content = [lower for lower in lowers if lower.isalpha() and lower not in _NOT_PROBLEM_WORDS]
    negated = any(lower in ("not", "n't", "never", "no", "nothing", "nobody") for lower in lowers)
    return describes_problem(doc, tokens) or negated and bool(content)


def _scores(
    doc: Doc, clause_tokens: List[FrozenSet[int]], matches: List[RuleMatch], asked_for: List[RuleMatch]
) -> List[int]:
    """Per clause: the weight of the category rules it matches, 3 for asking for a remedy, 2 per safety, legal or
    fraud signal, and 1 for describing something beyond an announcement or verdict."""
    clause_of = {token: number for number, tokens in enumerate(clause_tokens) for token in tokens}
    scores = [
        int(describes_problem(doc, tokens))
        + PROBLEM_AFTER_CONTRAST_BONUS * _carries_problem_after_contrast(doc, tokens)
        for tokens in clause_tokens
    ]
    asking_clauses: Set[int] = set()
    asked = set(asked_for)
    for match in matches:
        owner = next((clause_of[position] for position in range(match.start, match.end) if position in clause_of), None)
        if owner is None:
            continue
        if match.rule.kind == "category":
            scores[owner] += match.rule.weight
        elif match.rule.kind == "severity" and match.rule.label != Severity.ANGER:
            scores[owner] += 2
        elif match in asked and owner not in asking_clauses:
            asking_clauses.add(owner)
            scores[owner] += 3
    return scores


def describes_problem(doc: Doc, tokens: FrozenSet[int]) -> bool:
    """At least two words beyond announcements and verdicts ("I want to make a complaint", "this is terrible")."""
    lowers = [doc[position].lower_ for position in tokens]
    content = [lower for lower in lowers if lower.isalpha() and lower not in _NOT_PROBLEM_WORDS]
    return len(content) >= 2 and any(lower in ENGLISH_FUNCTION_WORDS for lower in lowers)


def paraphrase_of(clauses: List[Clause]) -> str:
    """The clauses that carry the problem and the wanted remedy, most telling first, within MAX_WORDS, plus the
    describing clauses of the same sentences as context."""
    if not clauses:
        return ""
    threshold = 2 if max(clause.score for clause in clauses) >= 2 else 1
    telling_sentences = {clause.sentence for clause in clauses if clause.score >= threshold}
    candidates = [
        clause
        for clause in clauses
        if clause.score >= threshold or clause.sentence in telling_sentences and clause.score >= 1
    ]
    chosen = sorted(_most_telling(candidates or clauses[:1]), key=lambda clause: clause.order)
    sentences: List[str] = []
    for position, clause in enumerate(chosen):
        text = shortened(clause.text)
        if position and chosen[position - 1].sentence == clause.sentence:
            continues_with_conjunction = text.split(" ", 1)[0].lower() in CLAUSE_STARTERS
            sentences[-1] += (" " if continues_with_conjunction else ", ") + text
        else:
            sentences.append(_without_leading_conjunction(text))
    return joined(sentences)


def _most_telling(candidates: List[Clause]) -> List[Clause]:
    """The clauses with the highest total score that fit in MAX_WORDS together (a small knapsack), so three short
    telling clauses beat two long ones; a single clause over the limit is returned alone, to be shortened."""
    best_by_length: Dict[int, Tuple[int, List[Clause]]] = {0: (0, [])}  # words used -> (score, clauses)
    for clause in candidates:
        length = word_count(clause.text)
        for used, (score, chosen) in list(best_by_length.items()):
            total = used + length
            if total <= MAX_WORDS and score + clause.score > best_by_length.get(total, (-1, []))[0]:
                best_by_length[total] = (score + clause.score, chosen + [clause])
    _, (_, chosen) = max(best_by_length.items(), key=lambda entry: (entry[1][0], -entry[0]))
    return chosen or [max(candidates, key=lambda clause: (clause.score, -clause.order))]


def _without_leading_conjunction(text: str) -> str:
    first, _, rest = text.partition(" ")
    return rest if rest and first.lower() in _LEADING_CONJUNCTIONS else text
