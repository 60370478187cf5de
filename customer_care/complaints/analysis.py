"""From a customer's message to a ComplaintAnalysis: paraphrase, category, severity, specificity, remedy."""

import logging
import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span, Token

from customer_care.complaints.cleaning import (
    MAX_INPUT_CHARS,
    count_profanity,
    normalise_text,
    remove_profanity,
    without_swear_words,
)
from customer_care.complaints.lexicon import (
    ACRONYMS,
    ENGLISH_FUNCTION_WORDS,
    FOREIGN_FUNCTION_WORDS,
    FUNCTION_WORDS,
    VAGUE_WORDS,
    words,
)
from customer_care.complaints.model import ComplaintAnalysis, IssueCategory, Severity
from customer_care.complaints.rephrase import (
    CLAUSE_STARTERS,
    MAX_WORDS,
    Word,
    as_statement,
    joined,
    render,
    respaced,
    shortened,
    to_agent_voice,
    with_common_start,
    word_count,
)
from customer_care.complaints.rules import WANT_CUES, RuleLemmatizer, RuleMatch, complaint_rules
from customer_care.text_limits import capped

logger = logging.getLogger(__name__)

CONFIRMATION_FRAME = "So, if I understand correctly, {paraphrase}. Is that right?"

_GREETINGS = words("hi hello hey hiya heya howdy yo greetings hii hiii heyy helo hallo morning afternoon evening")
_SIGN_OFFS = words("thanks thank thx ty cheers ta regards many kind best warm yours sincerely")
# "dont" and "Im" are split by the tokenizer into "do"+"nt" and "I"+"m"; the pieces get their apostrophe back.
_BARE_CLITICS = {"nt": "n't", "m": "'m", "ve": "'ve", "re": "'re", "d": "'d", "s": "'s", "ll": "'ll"}
_NOT_PROBLEM_WORDS = FUNCTION_WORDS | VAGUE_WORDS | STOP_WORDS
_SPLIT_PUNCTUATION = words(", ; : -")
_SPLIT_BEFORE = words("but because although though cos so")
# "and" starts a new clause before these ("and the box was crushed", "and when they came"), not in "a lamp and a rug"
_CLAUSE_SUBJECTS = words("you we they it he she your our their the this that nobody no now then still someone when "
                         "while after before since if")
_LEADING_CONJUNCTIONS = _SPLIT_BEFORE | words("and then also")
# What follows these is usually the problem itself, after the story of what the customer tried: "I followed all
# the directions, but it won't pair", "I reset it and now it still doesn't turn on", "however the screen stays
# black". Such a clause is always split off and always kept in the paraphrase.
_CONTRAST = words("but however yet still although though")
_CONTRAST_PAIRS = (("and", "now"), ("and", "still"), ("but", "still"))
PROBLEM_AFTER_CONTRAST_BONUS = 3
_NEGATING = words("not never")
_WORDS_AROUND_BARE_REMEDY = words("want need a an my asap now")
_SHOUTED_WORD = re.compile(r"\b[A-Z]{2,}\b")
_ANY_WORD = re.compile(r"[^\W\d_]+")
MIN_EXCLAMATIONS_FOR_ANGER = 3
MIN_SHOUTED_WORDS = 3
CATEGORY_SCORE_FOR_SPECIFIC = 2
MIN_PARAPHRASE_WORDS = 2
MAX_WORD_CHARACTERS = 40  # anything longer is keyboard mashing or an identifier, not worth echoing


@dataclass(frozen=True)
class _Clause:
    text: str  # rendered in the agent's voice
    tokens: FrozenSet[int]
    order: int
    sentence: int
    score: int  # how much of the problem, and of what the customer wants, the clause carries


def analyse_complaint(text: str) -> ComplaintAnalysis:
    """Paraphrase, category, severity signals, specificity and wanted remedy of a customer's complaint."""
    try:
        return _analyse(text)
    except Exception:  # a chat turn must not fail on an input nobody foresaw; the log shows which rule to fix
        logger.exception("Complaint analysis failed on %r", text[:200] if isinstance(text, str) else text)
        return ComplaintAnalysis(raw_text=text, paraphrase="", confirmation="", category=IssueCategory.OTHER,
                                 severity=frozenset(), is_specific=False, wants=None)


def confirmation_sentence(paraphrase: str) -> str:
    """"So, if I understand correctly, <paraphrase>. Is that right?"; "" for an empty paraphrase."""
    return CONFIRMATION_FRAME.format(paraphrase=paraphrase) if paraphrase else ""


def _analyse(text: str) -> ComplaintAnalysis:
    read = capped(text, MAX_INPUT_CHARS)  # bounded work: the rest of a longer message is not read
    normalised = normalise_text(read)
    rules = complaint_rules()
    doc = rules.nlp(remove_profanity(normalised))
    matches = rules.matches(doc)
    dropped = _dropped_tokens(doc, matches)
    asked_for = [match for match in matches if match.rule.kind == "remedy" and _is_asked_for(doc, match, dropped)]
    clauses = _clauses(doc, dropped, matches, asked_for, rules.lemmatizer)
    category, category_score = _category(matches)
    english = _looks_english(doc)
    # Reassembling clauses can bring symbols next to letters and form something that reads as a masked swear
    # word ("X)$O" loses its bracket); this last pass makes sure none is ever echoed.
    paraphrase = without_swear_words(_paraphrase(clauses)) if english else ""
    if word_count(paraphrase) < MIN_PARAPHRASE_WORDS:
        paraphrase = ""  # "So, if I understand correctly, broken." says nothing the customer would confirm
    return ComplaintAnalysis(
        raw_text=text,
        paraphrase=paraphrase,
        confirmation=confirmation_sentence(paraphrase),
        category=category,
        severity=_severity(matches, read, normalised),
        is_specific=english and (category_score >= CATEGORY_SCORE_FOR_SPECIFIC
                                 or any(_describes_problem(doc, clause.tokens) for clause in clauses)),
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
    """"Dear Sir/Madam," or "Dear Larkspur team" on a line of its own."""
    limit = min(sentence.end, start + 7)
    for position in range(start + 1, limit):
        if doc[position].text in (",", ":", "!"):
            return position + 1
    return sentence.end if sentence.end <= limit else start + 1


def _is_name_before_punctuation(doc: Doc, position: int, sentence: Span) -> bool:
    return position + 1 < sentence.end and doc[position].is_title and doc[position + 1].text in (",", "!", "-")


def _is_asked_for(doc: Doc, match: RuleMatch, dropped: Set[int]) -> bool:
    """"I'd like a refund", "Refund me please", "..., cancel my order", "can I get a new one"; not "I don't want a
    refund" or "I got a replacement"."""
    sentence = doc[match.start].sent
    opens_clause = all(position in dropped for position in range(sentence.start, match.start)) or (
        match.start > sentence.start and doc[match.start - 1].text == ",")
    if match.rule.as_order and opens_clause:
        return True
    if any(token.lower_ == "please" for token in doc[match.end:min(match.end + 3, sentence.end)]):
        return True
    for position in range(match.start - 1, max(sentence.start, match.start - 7) - 1, -1):
        token = doc[position]
        if token.is_punct:
            return False
        if token.lower_ in WANT_CUES:
            return not (position > sentence.start and doc[position - 1].lemma_ in _NEGATING)
    return False


# --- clauses, scored ----------------------------------------------------------------------------------------

def _clauses(doc: Doc, dropped: Set[int], matches: List[RuleMatch], asked_for: List[RuleMatch],
             lemmatizer: RuleLemmatizer) -> List[_Clause]:
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
        sentence_words = respaced([_word(token, lemmatizer) for token in sentence
                                   if token.i not in dropped and len(token) <= MAX_WORD_CHARACTERS])
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
    return [_Clause(text, tokens, order, sentence_number, score)
            for order, ((text, tokens, sentence_number), score) in enumerate(zip(pieces, scores))]


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
    tail = sentence[last_comma + 1:]
    tail_tokens = {word.index for word in tail if word.lower not in _WORDS_AROUND_BARE_REMEDY}
    for match in asked_for:
        if tail and tail_tokens and tail_tokens <= set(range(match.start, match.end)):
            return sentence[:max(last_comma, 0)], match
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
    return _describes_problem(doc, tokens) or negated and bool(content)


def _scores(doc: Doc, clause_tokens: List[FrozenSet[int]], matches: List[RuleMatch],
            asked_for: List[RuleMatch]) -> List[int]:
    """Per clause: the weight of the category rules it matches, 3 for asking for a remedy, 2 per safety, legal or
    fraud signal, and 1 for describing something beyond an announcement or verdict."""
    clause_of = {token: number for number, tokens in enumerate(clause_tokens) for token in tokens}
    scores = [int(_describes_problem(doc, tokens))
              + PROBLEM_AFTER_CONTRAST_BONUS * _carries_problem_after_contrast(doc, tokens)
              for tokens in clause_tokens]
    asking_clauses: Set[int] = set()
    asked = set(asked_for)
    for match in matches:
        owner = next((clause_of[position] for position in range(match.start, match.end) if position in clause_of),
                     None)
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


def _describes_problem(doc: Doc, tokens: FrozenSet[int]) -> bool:
    """At least two words beyond announcements and verdicts ("I want to make a complaint", "this is terrible")."""
    lowers = [doc[position].lower_ for position in tokens]
    content = [lower for lower in lowers if lower.isalpha() and lower not in _NOT_PROBLEM_WORDS]
    return len(content) >= 2 and any(lower in ENGLISH_FUNCTION_WORDS for lower in lowers)


def _paraphrase(clauses: List[_Clause]) -> str:
    """The clauses that carry the problem and the wanted remedy, most telling first, within MAX_WORDS, plus the
    describing clauses of the same sentences as context."""
    if not clauses:
        return ""
    threshold = 2 if max(clause.score for clause in clauses) >= 2 else 1
    telling_sentences = {clause.sentence for clause in clauses if clause.score >= threshold}
    candidates = [clause for clause in clauses
                  if clause.score >= threshold or clause.sentence in telling_sentences and clause.score >= 1]
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


def _most_telling(candidates: List[_Clause]) -> List[_Clause]:
    """The clauses with the highest total score that fit in MAX_WORDS together (a small knapsack), so three short
    telling clauses beat two long ones; a single clause over the limit is returned alone, to be shortened."""
    best_by_length: Dict[int, Tuple[int, List[_Clause]]] = {0: (0, [])}  # words used -> (score, clauses)
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
    if (count_profanity(normalised) or _is_shouting(normalised)
            or capped(raw_text, MAX_INPUT_CHARS).count("!") >= MIN_EXCLAMATIONS_FOR_ANGER):
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
