"""domain.yml as the inbox's export edits it: each intent reviewers created is added, with a placeholder answer
(utter_answer_<intent>) until someone writes a real one.

People edit the domain too, and its comments and order mean something to them, so it goes through ruamel.yaml's
round trip: what is not changed is written back as it was, and a new entry goes at the end of its list, before
the blank lines and comments that head the next section. A domain split over a folder is not supported.
"""

from pathlib import Path
from typing import Any, List, Optional, Sequence, Set

from addons.training_files import ExportError, write_atomically
from customer_care.answers import answer_response

PLACEHOLDER_RESPONSE = "Thanks for asking. I can't help with that here yet; our team will answer it soon."


class DomainFile:
    """domain.yml through ruamel.yaml's round trip: what is not changed is written back as it was."""

    def __init__(self, path: Path) -> None:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        self.path = Path(path)
        if not self.path.is_file():
            raise ExportError(f"there is no domain file {self.path} (a domain split over a folder is not supported)")
        self.yaml = YAML(typ="rt")
        # ruamel.yaml 0.17 types these two attributes by their None defaults (unannotated in YAML.__init__).
        self.yaml.preserve_quotes = True  # type: ignore[assignment]
        self.yaml.width = 4096  # type: ignore[assignment]  # never fold a long response
        self.yaml.indent(mapping=2, sequence=4, offset=2)  # the domain's own style: "intents:\n  - greet"
        # Written as "null", as Rasa's files have it, not as an empty value.
        self.yaml.representer.add_representer(
            type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null")
        )
        try:
            self.data = self.yaml.load(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YAMLError) as error:
            raise ExportError(f"cannot read the domain {self.path}: {error}") from None
        if not isinstance(self.data, dict):
            raise ExportError(f"the domain {self.path} is not a YAML mapping")

    def intents(self) -> List[str]:
        return _names(self.data.get("intents"))

    def entities(self) -> Set[str]:
        return set(_names(self.data.get("entities")))

    def add_intents(self, intents: Sequence[str]) -> None:
        """Add each intent and a placeholder answer (unless the domain has one), then save."""
        from ruamel.yaml.comments import CommentedMap, CommentedSeq
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        if self.data.get("intents") is None:
            self.data["intents"] = CommentedSeq()
        if self.data.get("responses") is None:
            self.data["responses"] = CommentedMap()
        listed, responses = self.data["intents"], self.data["responses"]
        if not isinstance(listed, list) or not isinstance(responses, dict):
            raise ExportError(f"the domain {self.path} has intents or responses in an unexpected form")
        for intent in intents:
            if intent not in _names(listed):
                _append_keeping_trailing_comment(listed, intent)
            if answer_response(intent) not in responses:
                answer = CommentedSeq([CommentedMap([("text", DoubleQuotedScalarString(PLACEHOLDER_RESPONSE))])])
                _append_keeping_trailing_comment(responses, answer, key=answer_response(intent))
        self.save()

    def save(self) -> None:
        from io import StringIO

        buffer = StringIO()
        self.yaml.dump(self.data, buffer)
        write_atomically(self.path, buffer.getvalue())


def _names(items: Any) -> List[str]:
    """Names from a domain list: plain names, or one-key mappings ("greet: {use_entities: []}")."""
    names = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and len(item) == 1:
            names.append(str(next(iter(item))))
    return names


def _append_keeping_trailing_comment(collection: Any, value: Any, key: Optional[str] = None) -> None:
    """Append to a sequence (or add `key` to a mapping) after its current last entry, moving the blank lines
    and comments ruamel keeps on that entry (those before the next section) to the new last entry."""
    token = _take_trailing_comment(collection)
    if key is None:
        collection.append(value)
    else:
        collection[key] = value
    if token is not None:
        _give_trailing_comment(collection, token)


def _take_trailing_comment(node: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap) and len(node):
        last = list(node)[-1]
        if isinstance(node[last], (CommentedMap, CommentedSeq)):
            token = _take_trailing_comment(node[last])
            if token is not None:
                return token
        entry = node.ca.items.get(last)
        if entry and len(entry) > 2 and entry[2] is not None:
            token, entry[2] = entry[2], None
            return token
    elif isinstance(node, CommentedSeq) and len(node):
        last = len(node) - 1
        if isinstance(node[last], (CommentedMap, CommentedSeq)):
            token = _take_trailing_comment(node[last])
            if token is not None:
                return token
        entry = node.ca.items.get(last)
        if entry and entry[0] is not None:
            token, entry[0] = entry[0], None
            return token
    return None


def _give_trailing_comment(node: Any, token: Any) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        last = list(node)[-1]
        if isinstance(node[last], (CommentedMap, CommentedSeq)) and len(node[last]):
            _give_trailing_comment(node[last], token)
        else:
            node.ca.items[last] = [None, None, token, None]
    elif isinstance(node, CommentedSeq):
        last = len(node) - 1
        if isinstance(node[last], (CommentedMap, CommentedSeq)) and len(node[last]):
            _give_trailing_comment(node[last], token)
        else:
            node.ca.items[last] = [token, None, None, None]
