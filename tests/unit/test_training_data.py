"""The NLU data keeps its contract: the intent names, enough examples, and a test set training never saw."""

import re
from collections import Counter
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from customer_care.form_answers import NEW_REQUEST_INTENTS
from customer_care.settings import PROJECT_ROOT

# The shop questions (read from data/rules/shop_questions.yml), order requests, a complaint, asking for a person.
SHOP_INTENTS = sorted(NEW_REQUEST_INTENTS)
CONVERSATION_INTENTS = ["greet", "goodbye", "affirm", "deny", "thank_you", "bot_challenge", "out_of_scope"]
# Replies this short are the same words whoever writes them; they may appear in both sets.
GENERIC_REPLY_WORDS = 2


def examples_by_intent(location: Path) -> Dict[str, List[str]]:
    """The examples of an NLU file, or of every NLU file under a folder."""
    found: Dict[str, List[str]] = {}
    for path in [location] if location.is_file() else sorted(location.rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]
                found.setdefault(block["intent"], []).extend(lines)
    return found


def plain(example: str) -> str:
    """Annotation markup, case and punctuation removed: '[104233](order_number)?' -> '104233'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", example).lower()
    return " ".join(re.findall(r"\w+", text))


TRAINING = examples_by_intent(PROJECT_ROOT / "data" / "nlu")
HELD_OUT = examples_by_intent(PROJECT_ROOT / "tests" / "nlu")
VALIDATION = examples_by_intent(PROJECT_ROOT / "tests" / "nlu_validation")
# Others' writing from public data sets (tests/nlu_real/SOURCES.md): a half to tune on, a half to report.
CROSS_SOURCE_TUNING = examples_by_intent(PROJECT_ROOT / "tests" / "nlu_real" / "tuning.yml")
CROSS_SOURCE_TEST = examples_by_intent(PROJECT_ROOT / "tests" / "nlu_real" / "test.yml")


def test_domain_declares_exactly_the_contract_intents():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert sorted(domain["intents"]) == sorted(SHOP_INTENTS + CONVERSATION_INTENTS)


def test_training_data_has_exactly_the_contract_intents():
    assert sorted(TRAINING) == sorted(SHOP_INTENTS + CONVERSATION_INTENTS)


@pytest.mark.parametrize("intent", SHOP_INTENTS + CONVERSATION_INTENTS)
def test_at_least_30_training_examples_per_intent(intent):
    assert len(TRAINING[intent]) >= 30


def test_held_out_set_covers_every_intent_and_150_out_of_domain_requests():
    assert sorted(HELD_OUT) == sorted(SHOP_INTENTS + CONVERSATION_INTENTS)
    assert all(len(HELD_OUT[intent]) >= 10 for intent in HELD_OUT)
    assert len(HELD_OUT["out_of_scope"]) >= 150


def test_no_training_example_is_duplicated_across_intents():
    owners: Dict[str, set] = {}
    for intent, examples in TRAINING.items():
        for example in examples:
            owners.setdefault(plain(example) or example, set()).add(intent)
    clashes = {text: intents for text, intents in owners.items() if len(intents) > 1}
    assert clashes == {}


def test_cross_source_set_is_big_enough_and_its_halves_are_disjoint():
    both = {
        intent: CROSS_SOURCE_TUNING.get(intent, []) + CROSS_SOURCE_TEST.get(intent, [])
        for intent in set(CROSS_SOURCE_TUNING) | set(CROSS_SOURCE_TEST)
    }
    assert set(both) <= set(SHOP_INTENTS + CONVERSATION_INTENTS)
    assert sum(len(examples) for intent, examples in both.items() if intent != "out_of_scope") >= 400
    assert len(both["out_of_scope"]) >= 1000
    tuning = {plain(example) for examples in CROSS_SOURCE_TUNING.values() for example in examples}
    test = {plain(example) for examples in CROSS_SOURCE_TEST.values() for example in examples}
    assert tuning & test == set()


@pytest.mark.parametrize(
    "name, evaluation_set",
    [
        ("held-out test", HELD_OUT),
        ("validation", VALIDATION),
        ("cross-source tuning", CROSS_SOURCE_TUNING),
        ("cross-source test", CROSS_SOURCE_TEST),
    ],
)
def test_evaluation_examples_never_appear_in_training(name, evaluation_set):
    trained = {plain(example) for examples in TRAINING.values() for example in examples}
    leaked = [
        example
        for examples in evaluation_set.values()
        for example in examples
        if plain(example) in trained and len(plain(example).split()) > GENERIC_REPLY_WORDS
    ]
    assert leaked == [], f"{name} examples found in data/: {leaked[:10]}"


def test_training_examples_are_unique():
    # Punctuation-only examples ("???", ";;;;") are told apart by their characters.
    counts = Counter(plain(example) or example for examples in TRAINING.values() for example in examples)
    assert [text for text, count in counts.items() if count > 1] == []
