"""Word lists and a small hand-made lemma table, so the rules work without a pretrained pipeline.

Lemmas are only needed for the vocabulary the rules mention, so they are generated from that vocabulary
(plus a table of irregular verbs) instead of shipping a full lookup table. Misspelled keywords
("recieved", "brokn", "refnd") are mapped back to their lemma with a one-edit symmetric-delete index.
"""

from typing import Dict, FrozenSet, Iterable, Iterator, Optional, Set, Tuple


def words(text: str) -> FrozenSet[str]:
    return frozenset(text.split())


# base form -> (past simple, past participle)
IRREGULAR_VERBS: Dict[str, Tuple[str, str]] = {
    "be": ("was", "been"),
    "have": ("had", "had"),
    "do": ("did", "done"),
    "go": ("went", "gone"),
    "get": ("got", "gotten"),
    "send": ("sent", "sent"),
    "take": ("took", "taken"),
    "give": ("gave", "given"),
    "come": ("came", "come"),
    "make": ("made", "made"),
    "say": ("said", "said"),
    "tell": ("told", "told"),
    "lose": ("lost", "lost"),
    "break": ("broke", "broken"),
    "buy": ("bought", "bought"),
    "pay": ("paid", "paid"),
    "find": ("found", "found"),
    "leave": ("left", "left"),
    "put": ("put", "put"),
    "keep": ("kept", "kept"),
    "hear": ("heard", "heard"),
    "see": ("saw", "seen"),
    "know": ("knew", "known"),
    "think": ("thought", "thought"),
    "bring": ("brought", "brought"),
    "tear": ("tore", "torn"),
    "bend": ("bent", "bent"),
    "split": ("split", "split"),
    "cut": ("cut", "cut"),
    "hurt": ("hurt", "hurt"),
    "burn": ("burnt", "burnt"),
    "throw": ("threw", "thrown"),
    "fall": ("fell", "fallen"),
    "write": ("wrote", "written"),
    "ring": ("rang", "rung"),
    "spend": ("spent", "spent"),
    "steal": ("stole", "stolen"),
    "show": ("showed", "shown"),
    "hang": ("hung", "hung"),
    "let": ("let", "let"),
    "set": ("set", "set"),
    "shut": ("shut", "shut"),
    "sell": ("sold", "sold"),
    "begin": ("began", "begun"),
    "forget": ("forgot", "forgotten"),
    "wear": ("wore", "worn"),
    "shrink": ("shrank", "shrunk"),
    "stick": ("stuck", "stuck"),
    "catch": ("caught", "caught"),
    "hit": ("hit", "hit"),
    "speak": ("spoke", "spoken"),
    "run": ("ran", "run"),
    "feel": ("felt", "felt"),
    "mean": ("meant", "meant"),
    "read": ("read", "read"),
    "swear": ("swore", "sworn"),
    "drive": ("drove", "driven"),
    "shake": ("shook", "shaken"),
    "blow": ("blew", "blown"),
    "freeze": ("froze", "frozen"),
    "burst": ("burst", "burst"),
    "bleed": ("bled", "bled"),
    "deal": ("dealt", "dealt"),
    "choose": ("chose", "chosen"),
    "understand": ("understood", "understood"),
    "win": ("won", "won"),
    "sit": ("sat", "sat"),
    "stand": ("stood", "stood"),
    "hold": ("held", "held"),
    "build": ("built", "built"),
}
# Verbs that double their final consonant before -ed/-ing (British spelling for cancel/label/travel); for
# irregular verbs only the -ing form uses it.
DOUBLING_VERBS = words(
    "ship stop drop plan slip rip chip snap tap grab chat rob admit refer prefer cancel label "
    "travel fit jam trap scrap dip spot step strap wrap get put cut hit set let sit run win begin "
    "forget shut split"
)

# Titles and brands that keep their capital letter at the start of a paraphrase.
PROPER_NOUNS = words(
    "Larkspur DPD Evri Hermes DHL UPS FedEx Yodel Parcelforce Amazon PayPal Klarna Clearpay Visa Mastercard Amex "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December Christmas Easter"
)
# All-caps words that are acronyms rather than shouting.
ACRONYMS = words(
    "UK US USA EU DPD DHL UPS TNT GLS USPS HMRC VAT NHS TV PC USB HDMI LED LCD ID PIN SMS PDF URL QR PS4 PS5 XS XL "
    "XXL XXXL OK AM PM GBP EUR USD FAQ CEO ASA CCTV BBC IT"
)

# Forms whose lemma is not an inflection of a rule word: be/have/will and the tokenizer's contraction pieces.
FIXED_LEMMAS = {
    "'m": "be",
    "m": "be",
    "am": "be",
    "is": "be",
    "are": "be",
    "'re": "be",
    "re": "be",
    "was": "be",
    "were": "be",
    "been": "be",
    "being": "be",
    "be": "be",
    "'ve": "have",
    "ve": "have",
    "has": "have",
    "had": "have",
    "having": "have",
    "n't": "not",
    "nt": "not",
    "not": "not",
    "'ll": "will",
    "ll": "will",
    "wo": "will",
    "ca": "can",
    "'d": "would",
    "u": "you",
    "ya": "you",
    "ur": "your",
    "yr": "your",
}

FUNCTION_WORDS = words(
    "i me my mine myself we us our ours you your yours u ur he him his she her it its they them their this that "
    "these those a an the am is are was were be been being 'm 're 's 've 'd 'll have has had do does did n't not "
    "no can could will would should shall may might must ca wo and but or so because if when then than as at by "
    "for from in into of on onto to with without about after before since until up out off over there here what "
    "why how where which who whom all any some every each very too also just still yet even only never"
)
# Everyday words with no bearing on what went wrong: a sentence made only of these and function words is an
# announcement ("I want to make a complaint") or a verdict ("this is the worst service ever"), not a problem.
VAGUE_WORDS = words(
    "complaint complaints complain complaining make file raise lodge submit log writing write contact contacting "
    "message messaging email emailing happy unhappy pleased satisfied impressed disappointed disappointing "
    "terrible awful horrible dreadful shocking bad poor rubbish useless worst joke disgusting disgraceful "
    "disgrace appalling unacceptable ridiculous pathetic annoyed angry upset furious livid fuming frustrated "
    "sad fed sick tired again ever service company shop store experience order orders purchase customer "
    "business people staff today day time really honestly totally absolutely extremely quite want wanted "
    "would like need speak talk someone somebody manager let know tell say please help thing things stuff "
    "situation issue issues problem problems matter regarding going happening unbelievable believe cannot "
    "can't wrong right ok okay good great well thanks thank lot guys team larkspur item product account "
    "parcel package delivery refund website app site seriously literally kidding mean quality standard think "
    "understand rn now"
)
# Frequent function words of other languages, to notice a message that is not in English.
FOREIGN_FUNCTION_WORDS = words(
    "de la el los las le les un une des du et est pas ne je tu il nous vous ma mon mes mi mis su sus que por "
    "para con una ha es está und der die das ist nicht ich ein eine mein meine het een ik niet il di che è "
    "non sono della per"
)
ENGLISH_FUNCTION_WORDS = FUNCTION_WORDS - FOREIGN_FUNCTION_WORDS

# Real words one typo away from a keyword, which must not be "corrected" into it.
NEAR_MISS_WORDS = words(
    "charger chargers changed changes broker brokers cracker crackers refuse refused kissing "
    "passed wrecked stacked hacker messed messing"
)

# Shorthand customers type, written out so the paraphrase reads well.
SLANG = {
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "bc": "because",
    "becuase": "because",
    "ppl": "people",
    "tho": "though",
    "abt": "about",
    "smth": "something",
    "rn": "right now",
    "msg": "message",
    "wat": "what",
    "wot": "what",
    "dat": "that",
    "nd": "and",
}

# Verbs whose past tense reads as a participle, for telling where a subject noun phrase ends.
_NOT_PARTICIPLES = words("bed red shed need feed seed speed hundred embed sacred naked wicked")
_NOT_VERB_ING = words(
    "wedding clothing packaging bedding thing something nothing anything everything evening morning building "
    "ceiling earring ring king wing string sibling pudding stocking lighting heating ping bling spring"
)


def third_person(verb: str) -> str:
    if verb == "have":
        return "has"
    if verb == "be":
        return "is"
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    if len(verb) > 2 and verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _regular_past(verb: str) -> str:
    if verb.endswith("e"):
        return verb + "d"
    if len(verb) > 2 and verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    if verb in DOUBLING_VERBS:
        return verb + verb[-1] + "ed"
    return verb + "ed"


def past_tense(verb: str) -> str:
    return IRREGULAR_VERBS[verb][0] if verb in IRREGULAR_VERBS else _regular_past(verb)


def _present_participle(verb: str) -> str:
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and verb != "be":
        return verb[:-1] + "ing"
    if verb in DOUBLING_VERBS:
        return verb + verb[-1] + "ing"
    return verb + "ing"


def inflections(lemma: str) -> Iterator[str]:
    """Every form a rule word may take: plural/3rd person, past, participles."""
    yield lemma
    yield third_person(lemma)
    yield _present_participle(lemma)
    if lemma in IRREGULAR_VERBS:
        yield from IRREGULAR_VERBS[lemma]
    else:
        yield _regular_past(lemma)
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        yield lemma[:-1] + "ies"


def lemma_table(vocabulary: Iterable[str]) -> Dict[str, str]:
    """form -> lemma for every inflection of the vocabulary; earlier, shorter lemmas win a clash."""
    table: Dict[str, str] = {}
    for lemma in sorted(set(vocabulary), key=lambda word: (len(word), word)):
        for form in inflections(lemma):
            table.setdefault(form, lemma)
    table.update(FIXED_LEMMAS)
    return table


def is_irregular_participle(word: str) -> bool:
    return any(word in forms for forms in IRREGULAR_VERBS.values())


def looks_like_participle(word: str) -> bool:
    return is_irregular_participle(word) or (
        len(word) >= 5 and word.endswith("ed") and not word.endswith("eed") and word not in _NOT_PARTICIPLES
    )


def looks_like_gerund(word: str) -> bool:
    return len(word) >= 6 and word.endswith("ing") and word not in _NOT_VERB_ING


class TypoCorrector:
    """Finds the keyword form a misspelling was meant to be: one edit away (insertion, deletion, substitution or
    swap of neighbours) and starting with the same letter. Candidates come from a symmetric-delete index, so a
    lookup costs a few dictionary probes instead of a scan of the vocabulary."""

    MIN_LENGTH = 5

    def __init__(self, forms: Iterable[str], known_words: Set[str]) -> None:
        self._known_words = known_words
        self._index: Dict[str, Set[str]] = {}
        self.max_length = 0  # longer words are no typo of a keyword: one edit changes the length by one at most
        for form in forms:
            if len(form) >= self.MIN_LENGTH:
                self.max_length = max(self.max_length, len(form) + 1)
                for key in self._deletions(form):
                    self._index.setdefault(key, set()).add(form)

    @staticmethod
    def _deletions(word: str) -> Iterator[str]:
        yield word
        for position in range(len(word)):
            yield word[:position] + word[position + 1 :]

    def correct(self, word: str) -> Optional[str]:
        if not self.MIN_LENGTH <= len(word) <= self.max_length or not word.isalpha() or word in self._known_words:
            return None  # (a long word would cost its length squared in deletions, for nothing)
        candidates: Set[str] = set()
        for key in self._deletions(word):
            candidates |= self._index.get(key, set())
        # Typos keep the first and last letter (or swap the last two: "parcle") far more often than real words one
        # edit apart do ("wobbly" is not "wobble", "charger" not "charged"); a five-letter word must be a keyword
        # missing a letter ("refnd").
        min_form_length = len(word) + (len(word) == self.MIN_LENGTH)
        matches = [
            form
            for form in candidates
            if form[0] == word[0]
            and len(form) >= min_form_length
            and (form[-1] == word[-1] or sorted(form) == sorted(word))
            and one_edit_apart(word, form)
        ]
        # "brokn" could be "broke" or "broken": a dropped letter is the likelier typo
        return min(matches, key=lambda form: (-len(form), form), default=None)


def one_edit_apart(first: str, second: str) -> bool:
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    if len(first) == len(second):
        differences = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
        if len(differences) == 1:
            return True
        return (
            len(differences) == 2
            and differences[1] == differences[0] + 1
            and first[differences[0]] == second[differences[1]]
            and first[differences[1]] == second[differences[0]]
        )
    shorter, longer = sorted((first, second), key=len)
    common = next((i for i, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b), len(shorter))
    return shorter[common:] == longer[common + 1 :]
