"""The project's training files as the inbox's export reads and writes them: Rasa's NLU examples read with
Rasa's own parser of entity annotations, and files replaced whole.

Both the export (addons.nlu_export) and the domain editor (addons.domain_file) write files that make and a
running `rasa train` read at any moment, so a file is only ever replaced in one step, never written in place;
and an export that would write the same bytes writes nothing, so make does not retrain for a new timestamp.
"""

import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Tuple


class ExportError(ValueError):
    """The examples, the training data or the domain can't be exported or edited as asked."""


def read_nlu_examples(path: Path) -> List[Tuple[str, str, List[Dict[str, Any]]]]:
    """(intent, plain text, entities) of every intent example in a Rasa YAML file; other sections are skipped."""
    from rasa.shared.nlu.training_data import entities_parser
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        document = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as error:
        raise ExportError(f"cannot read the training data in {path}: {error}") from None
    items = document.get("nlu") if isinstance(document, dict) else None
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("intent"), str):
            continue
        examples = item.get("examples")
        if isinstance(examples, str):
            lines = [line.strip()[1:] for line in examples.splitlines() if line.strip().startswith("-")]
        elif isinstance(examples, list):
            lines = [entry.get("text", "") for entry in examples if isinstance(entry, dict)]
        else:
            lines = []
        for line in lines:
            if not isinstance(line, str) or not line.strip():
                continue
            annotated = line.strip()
            try:
                entities = entities_parser.find_entities_in_training_example(annotated)
            except Exception as error:  # Rasa raises its own exception types for malformed annotations
                raise ExportError(f"cannot read the example {annotated!r} in {path}: {error}") from None
            found.append((item["intent"], entities_parser.replace_entities(annotated), entities))
    return found


def write_if_changed(path: Path, content: str) -> None:
    try:
        if path.read_bytes() == content.encode("utf-8"):
            return
    except FileNotFoundError:
        pass
    write_atomically(path, content)


def write_atomically(path: Path, content: str) -> None:
    """Readers (make, a running `rasa train`) see the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(content)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
