"""Customer messages as training examples: the review inbox's grouping key, masking with entities kept in place,
and the checks of what reviewers label (intent names, entities). customer_care.inbox stores them;
addons.nlu_export writes them out as Rasa training data.

An entity is {"entity", "value", "start", "end"} (+ "role"/"group"), its offsets into the message's text.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from customer_care.masking import mask_personal_data

INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
ENTITY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,49}$")
UNTRAINABLE_INTENTS = ("nlu_fallback",)  # what the FallbackClassifier predicts; no example can teach it


class InboxError(ValueError):
    """Bad input from a reviewer or agent (unknown group, invalid intent name, entity outside the text)."""


@dataclass(frozen=True)
class ApprovedExample:
    text: str
    intent: str  # "out_of_scope" for out-of-scope labels
    entities: List[Dict[str, Any]]


def group_key(text: str) -> str:
    """The normalised text near-duplicates share: NFKC, lower case, every digit "0", punctuation, symbols and
    emoji dropped, whitespace collapsed. "Where is my order 123456?!" -> "where is my order 000000"."""
    kept: List[str] = []
    for char in unicodedata.normalize("NFKC", text or "").lower():
        category = unicodedata.category(char)
        if category == "Nd":
            kept.append("0")
        elif char.isspace():
            kept.append(" ")
        elif category[0] in "LN":
            kept.append(char)
        elif category[0] == "M" and kept and kept[-1] != " ":
            kept.append(char)  # a combining mark belongs to its letter; after an emoji (U+FE0F) it goes too
    return " ".join("".join(kept).split())


def key_hash(key: str) -> str:
    """A fixed-length handle for a group key: keys are as long as the messages, too long to index everywhere."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def rewrite_example(
    text: str, entities: Iterable[Mapping[str, Any]], rewrite: Callable[[str], str]
) -> Tuple[str, List[Dict[str, Any]]]:
    """`rewrite(text)` stripped, with the entities moved to where their text ended up.

    The text between entities and each entity's own text are rewritten separately, so the offsets can be
    recomputed. Should that give anything else than rewriting the whole text (personal data straddling an
    entity's edge), the whole text wins and the entities are dropped: masking must never be partial.
    """
    whole = rewrite(text.strip())
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    spans = entity_spans(stripped, (_shifted(entity, -lead) for entity in entities))
    pieces: List[str] = []
    moved: List[Dict[str, Any]] = []
    position = length = 0
    for entity in spans:
        before = rewrite(stripped[position : entity["start"]])
        pieces.append(before)
        length += len(before)
        span = stripped[entity["start"] : entity["end"]]
        new_span = rewrite(span)
        if new_span.strip():
            value = entity.get("value")
            new_value = new_span if value == span else rewrite(value) if isinstance(value, str) else value
            moved.append({**entity, "value": new_value, "start": length, "end": length + len(new_span)})
        pieces.append(new_span)
        length += len(new_span)
        position = entity["end"]
    pieces.append(rewrite(stripped[position:]))
    joined = "".join(pieces)
    lead = len(joined) - len(joined.lstrip())
    if joined.strip() != whole:
        return whole, []
    return whole, [_shifted(entity, -lead) for entity in moved]


def mask_example(text: str, entities: Iterable[Mapping[str, Any]] = ()) -> Tuple[str, List[Dict[str, Any]]]:
    """The text as the inbox stores it (stripped, personal data masked), with its entities moved along."""
    return rewrite_example(text, entities, mask_personal_data)


def entity_spans(text: str, entities: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Well-formed entities of `text` in order: {"entity", "value", "start", "end"} (+ "role"/"group" when
    given), trimmed of surrounding spaces; malformed ones and ones overlapping an earlier one are left out
    (extractors may tag the same words twice)."""
    candidates = []
    for entity in entities:
        if not isinstance(entity, Mapping):
            continue
        name = entity.get("entity")
        start: Any = entity.get("start")  # checked by _span_fault
        end: Any = entity.get("end")
        if not isinstance(name, str) or not name or _span_fault(text, start, end) is not None:
            continue
        span = text[start:end]
        trimmed_start, trimmed_end = _trimmed(text, start, end)
        value = entity.get("value", span)
        if value == span:
            value = text[trimmed_start:trimmed_end]
        clean: Dict[str, Any] = {"entity": name, "value": value, "start": trimmed_start, "end": trimmed_end}
        for extra in ("role", "group"):
            if isinstance(entity.get(extra), str) and entity[extra]:
                clean[extra] = entity[extra]
        candidates.append(clean)
    candidates.sort(key=lambda entity: (entity["start"], -entity["end"]))
    kept: List[Dict[str, Any]] = []
    for entity in candidates:
        if not kept or entity["start"] >= kept[-1]["end"]:
            kept.append(entity)
    return kept


def validate_intent_name(intent: Optional[str]) -> str:
    if not isinstance(intent, str) or not INTENT_NAME.match(intent.strip()):
        raise InboxError(
            f"an intent name is 2-50 lower-case letters, digits and underscores, starting with a letter; got {intent!r}"
        )
    intent = intent.strip()
    if intent in UNTRAINABLE_INTENTS:
        raise InboxError(
            f"{intent} is what the assistant says when it does not understand; choose the intent "
            f"the customer meant, out of scope, or discard"
        )
    return intent


def validate_label_entities(entities: Optional[Sequence[Any]], text: str) -> List[Dict[str, Any]]:
    """[{"entity", "value", "start", "end"}] checked against `text`: each a name, a span of `text` (its value
    the words at that span, which may be left out), none overlapping. Surrounding spaces are trimmed."""
    if entities is None:
        return []
    if isinstance(entities, (str, bytes, Mapping)) or not isinstance(entities, Sequence):
        raise InboxError("entities must be a list of {entity, value, start, end}")
    checked: List[Dict[str, Any]] = []
    for entity in entities:
        if not isinstance(entity, Mapping):
            raise InboxError(f"an entity must be {{entity, value, start, end}}, got {entity!r}")
        name = entity.get("entity")
        start: Any = entity.get("start")  # checked by _span_fault
        end: Any = entity.get("end")
        if not isinstance(name, str) or not ENTITY_NAME.match(name):
            raise InboxError(f"an entity name is a letter then letters, digits, _ or -, got {name!r}")
        fault = _span_fault(text, start, end)
        if fault is not None:
            raise InboxError(f"entity {name} {fault}")
        span = text[start:end]
        if entity.get("value", span) != span:
            raise InboxError(f"entity {name} at {start}-{end} is {span!r} in {text!r}, not {entity.get('value')!r}")
        start, end = _trimmed(text, start, end)
        checked.append({"entity": name, "value": text[start:end], "start": start, "end": end})
    checked.sort(key=lambda item: (item["start"], item["end"]))
    for previous, following in pairwise(checked):
        if following["start"] < previous["end"]:
            raise InboxError(f"entities {previous['value']!r} and {following['value']!r} overlap")
    return checked


def _span_fault(text: str, start: Any, end: Any) -> Optional[str]:
    """Why `start` and `end` mark no words of `text`, or None when they do."""
    if not _is_int(start) or not _is_int(end) or not 0 <= start < end <= len(text):
        return f"at {start!r}-{end!r} does not lie within {text!r}"
    if not text[start:end].strip():
        return f"at {start}-{end} is only spaces"
    return None


def _trimmed(text: str, start: int, end: int) -> Tuple[int, int]:
    """The span `start`-`end` of `text` without the spaces around its words."""
    span = text[start:end]
    return start + len(span) - len(span.lstrip()), end - (len(span) - len(span.rstrip()))


def _shifted(entity: Mapping[str, Any], offset: int) -> Dict[str, Any]:
    moved = dict(entity)
    if _is_int(moved.get("start")) and _is_int(moved.get("end")):
        moved["start"] += offset
        moved["end"] += offset
    return moved


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
