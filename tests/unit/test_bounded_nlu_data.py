"""Bounded work per message (issue 14) in what feeds the NLU: the export of approved examples, and the patterns of
data/nlu/regex.yml that Rasa runs on every message."""

import re
from pathlib import Path
from typing import Dict

import pytest
import yaml
from hypothesis import given

from addons import nlu_export
from customer_care.text_limits import MAX_MESSAGE_CHARACTERS
from tests.unit.bounded_input_helpers import BUDGET_SECONDS, FAST, customer_text, timed

ROOT = Path(__file__).resolve().parents[2]

# The complaint rules are built before the first test (the conftest's warmed_up), not inside a call's budget.
pytestmark = pytest.mark.usefixtures("warmed_up")


# --- The NLU export ---------------------------------------------------------------------------------------------


@FAST
@given(customer_text)
def test_exporting_any_text_is_bounded(text: str) -> None:
    cleaned = timed(nlu_export.training_text, text)
    assert len(cleaned) <= MAX_MESSAGE_CHARACTERS
    assert "[" not in cleaned and "]" not in cleaned  # no mask or bracket that Rasa would read as an annotation
    entities = [
        {"entity": "order_number", "start": 0, "end": min(5, len(cleaned))},
        {"entity": "email", "start": max(0, len(cleaned) - 3), "end": len(cleaned) + 10},
    ]
    timed(nlu_export.render_example, cleaned, entities)
    timed(nlu_export.render_example, text, entities)


def test_exporting_a_huge_example_is_quick(tmp_path: Path) -> None:
    nlu_dir = tmp_path / "nlu"
    nlu_dir.mkdir()
    domain = tmp_path / "domain.yml"
    domain.write_text(
        'version: "3.1"\nintents:\n  - greet\nentities:\n  - order_number\nresponses: {}\n', encoding="utf-8"
    )
    from customer_care.inbox import ApprovedExample

    text = "my card 4111.1111.1111.1111 " + "1 " * 10_000
    result = timed(
        nlu_export.export_examples,
        [ApprovedExample(text, "greet", [])],
        nlu_dir,
        domain,
        nlu_dir / "from_conversations.yml",
        budget=2 * BUDGET_SECONDS,
    )  # includes reading YAML files
    written = (nlu_dir / "from_conversations.yml").read_text(encoding="utf-8")
    assert result.written == 1 and "<card>" in written and "4111" not in written
    assert max(len(line) for line in written.splitlines()) <= MAX_MESSAGE_CHARACTERS + 10


# --- The NLU's own patterns (data/nlu/regex.yml) ----------------------------------------------------------------


def regex_yml_patterns() -> Dict[str, str]:
    document = yaml.safe_load((ROOT / "data" / "nlu" / "regex.yml").read_text(encoding="utf-8"))
    patterns = {}
    for item in document["nlu"]:
        lines = [line.strip()[2:] for line in item["examples"].splitlines() if line.strip().startswith("- ")]
        patterns[item["regex"]] = "|".join(lines)  # how Rasa joins a regex's examples
    return patterns


def test_email_pattern_in_regex_yml_is_linear() -> None:
    """Rasa runs these with Python's re on every message (RegexFeaturizer, RegexEntityExtractor). The e-mail
    pattern was quadratic: 3.8 s for 'a.' * 10,000, each word boundary starting a scan to the end."""
    for pattern in regex_yml_patterns().values():
        compiled = re.compile(pattern, re.IGNORECASE)  # as RegexEntityExtractor compiles it (case-insensitive)
        for text in [
            "a." * 10_000,
            "a" * 20_000 + "@",
            "-a" * 10_000,
            "a@" + "a." * 10_000,
            "a@a" + ".a1" * 6_000,
            "1 " * 10_000,
            "1" * 20_000,
            "%" * 20_000 + "@",
            "a_" * 10_000 + "@x",
            "é." * 10_000,
        ]:
            timed(lambda regex, subject: list(regex.finditer(subject)), compiled, text)
    email = re.compile(regex_yml_patterns()["email"], re.IGNORECASE)
    assert [
        match.group(0)
        for match in email.finditer(
            "mail jane.doe+shop@example.co.uk or J_Smith99@mail.example.com, not jane@example or @x.com"
        )
    ] == ["jane.doe+shop@example.co.uk", "J_Smith99@mail.example.com"]
    order_number = re.compile(regex_yml_patterns()["order_number"])
    assert [match.group(0) for match in order_number.finditer("order 104233, 12345678 and 1234")] == [
        "104233",
        "12345678",
    ]
