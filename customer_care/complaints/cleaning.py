"""Text-level clean-up before tokenising: markup, links, handles, emoji, profanity and noisy punctuation.

Profanity is handled on the raw text because masked spellings ("f***ing", "sh!t") do not survive the
tokenizer intact, and because softening depends on the words around it ("this is crap" -> "this is
unacceptable", "shitty service" -> "poor service").

Bounded work: each function cuts its text to MAX_INPUT_CHARS first, and every pattern below runs in linear time.
None has two neighbouring repetitions that can share characters (a run of k's followed by any word characters
is written as one k followed by any; a run of symbols followed by letters or symbols as one symbol followed by
letters or symbols), and none starts again inside a run it has already read (a lookbehind lets it start only
where the run starts): a run of symbols, spaces or '!' is read once, not once for every character in it.
"""

import html
import re
import unicodedata
from typing import Callable, List, Tuple, Union

from customer_care.text_limits import MAX_ANALYSIS_CHARACTERS, capped

MAX_INPUT_CHARS = MAX_ANALYSIS_CHARACTERS  # about 500 words; the rest of a longer message is not read
# spaCy's tokenizer strips a token's suffixes one at a time, searching the whole rest of the token each time: a
# 3,000-character run of "$" took 2 s. A run without a space longer than this is left out: no word is that long,
# and the analysis never echoes a word over 40 characters either (keyboard mashing, an identifier).
MAX_RUN_CHARACTERS = 100

_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]{0,300}>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>]{0,300}>")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(
    r"(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|co\.uk|uk|org|net|io|shop|store)"
    r"(?:/\S*)?\b",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w.@])@\w+")
_HASHTAG = re.compile(r"(?<![\w&#])#[A-Za-z_]\w*")
_EMOTICON = re.compile(r"(?<!\S)(?:[:;=][-'^]?[()\[\]{}DPpOo/\\|*3$@]+|<3+|[xX]D+|\^_*\^|[Tt]_[Tt]|-_-)(?!\S)")
# Emoji, pictographs, dingbats, variation selectors, zero-width and control characters, lone surrogates,
# private use: none of them carry words.
_NON_TEXT = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u2190-\u21ff\u25a0-\u25ff\ufe0e\ufe0f\u20e3"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\U000e0000-\U000e007f\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd"
    "\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff]+"
)
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2026": "...",
        "\u2013": "-",
        "\u2014": "-",
    }
)
_STRETCHED_LETTERS = re.compile(r"([a-zA-Z])\1{2,}")  # "soooo" -> "so", "pleeease" -> "please"
_LINE_BREAKS = re.compile(r"(?<![ \t])[ \t]*(?:\r?\n|\r)+\s*")
_SPACES = re.compile(r"[ \t\f\v]+")
_REPEATED_PUNCTUATION: List[Tuple["re.Pattern[str]", str]] = [
    (re.compile(r"(?<![!?])[!?]*\?[!?]*"), "?"),
    (re.compile(r"!{2,}"), "!"),
    (re.compile(r"\.{2,}"), "."),
    (re.compile(r",{2,}"), ","),
    (re.compile(r"-{2,}"), " - "),
    (re.compile(r"[_~^=]{2,}"), " "),  # runs of "*" wait until masked swear words ("f***") are found
]

_FUCK = r"(?:mother|mutha|motha)?(?:f+[uv]*c*k|fcuk|ph[uv]+c*k|feck)\w*"
_FUCK_STEM = r"(?:f+[uv]*c*k+|fcuk|f[*#@$%]+k?)"
_SHIT = r"(?:bull)?(?:sh+[i1!]+t\w*|sht|shyt\w*)|\$h[i1!]t\w*"
_OTHER_SWEARS = (
    r"crap\w*|damn\w*|dammit|godd?amn\w*|bloody|bugger\w*|bollock\w*|bastard\w*|bitch\w*|arse|arses|arsed|"
    r"arsehole\w*|ass|asshole\w*|piss\w*|wank\w*|twat\w*|prick|pricks|dick|dicks|dickhead\w*|cunt\w*|tosser\w*|"
    r"bellend\w*|sod|sodding|wtf|ffs|stfu|omfg|gtfo|effing|effin|bs"
)
# Letters with symbols standing in for some of them: "f***", "s**t", "a$$hole".
_MASKED = r"[a-z]+[*#@$%][a-z*#@$%]*"
_END = r"(?![\w*#@$%]|\.\w)"  # not inside a longer word, an e-mail address or a domain
PROFANITY = re.compile(rf"(?<![\w*#@$%.])(?:{_FUCK}|{_SHIT}|{_OTHER_SWEARS}|{_MASKED}){_END}", re.IGNORECASE)

_Replacement = Union[str, Callable[["re.Match[str]"], str]]
# Applied in order; whatever profanity is left afterwards is deleted.
_SOFTENING: List[Tuple["re.Pattern[str]", _Replacement]] = [
    (re.compile(rf"\b(?:what|why|how)\s+the\s+(?:{_FUCK}|{_MASKED}|hell|heck){_END}\s*(?=[,.!?]|$)", re.I), ""),
    (re.compile(rf"\b(what|why|where|who|how)\s+(?:the\s+)?(?:{_FUCK}|{_MASKED}|hell|heck){_END}", re.I), r"\1"),
    (re.compile(rf"\bfor\s+(?:{_FUCK}|{_MASKED}|god|christ|pete|heaven)'?s?\s+sake\b", re.I), ""),
    # (not "\b": a masked word may hold symbols, and every letter after one would start a new scan of the run)
    (re.compile(rf"(?<![\w*#@$%])(?:{_FUCK}|{_MASKED}|screw|piss)\s+(?:off|you|this|that)\b", re.I), ""),
    (re.compile(rf"\b(?:holy|oh)\s+(?:{_SHIT}|crap|{_FUCK}){_END}", re.I), ""),
    (re.compile(r"\b(?:the|bloody)\s+hell\b", re.I), ""),
    (
        re.compile(
            rf"\b(is|was|are|were|be|been|'s|so)\s+(?:(?:total|absolute|complete|utter|pure|such)\s+)?"
            rf"(?:(?:a\s+)?(?:piece|load|bunch|pile|heap)\s+of\s+)?(?:{_SHIT}|crap|bollocks|"
            rf"[a-z]+[*#@$%][a-z*#@$%]*(?<!ing)){_END}",
            re.I,
        ),
        r"\1 unacceptable",
    ),
    (
        re.compile(rf"\b(?:{_FUCK_STEM}|screw|cock|balls)(ed|ing|s)?\s*(?:-\s*)?up\b", re.I),
        lambda match: "messing up" if (match.group(1) or "").lower() == "ing" else "messed up",
    ),
    (re.compile(r"\bpiss(?:ed)?\s+off\b|\bpissed\b", re.I), "annoyed"),
    (re.compile(r"\b(?:sh[i1!]tty|crappy|shite)\b", re.I), "poor"),
]
# An article or intensifier left stranded where a swear word was deleted: "what a load of ___."
_ASTERISKS = re.compile(r"\*{2,}")
_STRANDED_WORDS = re.compile(r"\b(?:a|an|the|such|total|absolute|complete|utter)\s*(?=[.!?,;]|$)", re.I)


def normalise_text(text: str) -> str:
    """Plain prose from whatever arrived: no markup, links, handles, hashtags, emoji or control characters."""
    # Cut again after NFKC, which writes a few characters as several ("ﬁ" as "fi").
    text = unicodedata.normalize("NFKC", capped(text, MAX_INPUT_CHARS))[:MAX_INPUT_CHARS].translate(_QUOTES)
    text = _SCRIPT_OR_STYLE.sub(" ", text)
    text = html.unescape(_TAG.sub(" ", text))
    text = _URL.sub(" ", text)
    text = _BARE_DOMAIN.sub("the website", text)
    text = _HANDLE.sub(" ", text)
    text = _HASHTAG.sub(" ", text)
    text = _NON_TEXT.sub(" ", text)
    text = _EMOTICON.sub(" ", text)
    text = _LINE_BREAKS.sub(_sentence_break, text)
    text = _STRETCHED_LETTERS.sub(r"\1", text)
    for pattern, replacement in _REPEATED_PUNCTUATION:
        text = pattern.sub(replacement, text)
    runs = _SPACES.sub(" ", text).strip().split(" ")
    return " ".join(run for run in runs if len(run) <= MAX_RUN_CHARACTERS).strip()


def _sentence_break(match: "re.Match[str]") -> str:
    """A line break ends a sentence even when the customer typed no full stop."""
    preceding = match.string[match.start() - 1] if match.start() else ""
    return " " if not preceding or preceding in ".!?,;:" else ". "


def count_profanity(text: str) -> int:
    return len(PROFANITY.findall(capped(text, MAX_INPUT_CHARS)))


def without_swear_words(text: str) -> str:
    return _SPACES.sub(" ", PROFANITY.sub(" ", capped(text, MAX_INPUT_CHARS))).strip()


def remove_profanity(text: str) -> str:
    """Softens or drops every swear word, so the paraphrase never echoes one."""
    text = capped(text, MAX_INPUT_CHARS)
    softened = text
    for pattern, replacement in _SOFTENING:
        softened = pattern.sub(replacement, softened)
    softened = PROFANITY.sub(" ", softened)
    if softened != text:
        softened = _STRANDED_WORDS.sub("", softened)
    return _SPACES.sub(" ", _ASTERISKS.sub(" ", softened)).strip()
