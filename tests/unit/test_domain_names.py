"""Every action, slot and response name the Python code uses exists in domain.yml.

A name is found where the code uses it, not by a list kept beside it: each module of actions/ and customer_care/
is read with `ast`, and the names in the places below are evaluated in the module's own namespace (so a
constant such as CUSTOMER_NAME counts by its value):
- slots: the first argument of `SlotSet(...)`, `tracker.get_slot(...)` and `slots.get(...)`;
- responses: `utter_message(response=...)` (both arms of a conditional), and every string literal that starts
  with `utter_` (the replies the plain modules return);
- actions: what each Action's `name()` returns, and string literals that start with `action_` or `validate_`.
"""

import ast
import importlib
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import yaml

from customer_care.settings import PROJECT_ROOT

PACKAGES = ("actions", "customer_care")
DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
# Rasa's own actions and slots, which the domain need not list.
RASA_ACTIONS = {
    "action_listen",
    "action_restart",
    "action_session_start",
    "action_default_fallback",
    "action_deactivate_loop",
    "action_revert_fallback_events",
    "action_default_ask_affirmation",
    "action_default_ask_rephrase",
    "action_back",
    "action_two_stage_fallback",
    "action_unlikely_intent",
    "action_extract_slots",
}
RASA_SLOTS = {"requested_slot", "session_started_metadata"}
COLUMNS = {"action_name"}  # a column of Rasa's tracker table, not an action


def _modules() -> Iterator[Tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            relative = path.relative_to(PROJECT_ROOT).with_suffix("")
            yield ".".join(part for part in relative.parts if part != "__init__"), path


def _literals_outside_f_strings(tree: ast.AST) -> Iterator[str]:
    formatted = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in formatted:
            yield node.value


def _arms(node: ast.expr) -> List[ast.expr]:
    return _arms(node.body) + _arms(node.orelse) if isinstance(node, ast.IfExp) else [node]


def _value(node: ast.expr, namespace: Dict[str, Any]) -> Any:
    if not isinstance(node, (ast.Constant, ast.Name, ast.Attribute)):
        return None  # computed at run time (an f-string, a call): not a name written in the code
    try:
        return eval(compile(ast.Expression(node), "<name>", "eval"), dict(namespace))  # noqa: S307 - our own code
    except NameError:
        return None  # a local variable


def _called(node: ast.Call) -> str:
    function = node.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def names_used() -> Dict[str, Set[Tuple[str, str]]]:
    used: Dict[str, Set[Tuple[str, str]]] = {"slot": set(), "response": set(), "action": set()}
    for module_name, path in _modules():
        tree = ast.parse(path.read_text(), str(path))
        namespace = vars(importlib.import_module(module_name))
        for literal in _literals_outside_f_strings(tree):
            if literal.startswith("utter_"):
                used["response"].add((literal, module_name))
            elif literal.startswith(("action_", "validate_")) and literal.isidentifier() and literal not in COLUMNS:
                used["action"].add((literal, module_name))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                called = _called(node)
                if called in ("SlotSet", "get_slot") or (
                    called == "get"
                    and getattr(node.func, "value", None)
                    and getattr(node.func.value, "id", "") == "slots"
                ):
                    if node.args:
                        for arm in _arms(node.args[0]):
                            used["slot"].add((_value(arm, namespace), module_name))
                for keyword in node.keywords:
                    if called == "utter_message" and keyword.arg == "response":
                        for arm in _arms(keyword.value):
                            used["response"].add((_value(arm, namespace), module_name))
            if isinstance(node, ast.FunctionDef) and node.name == "name":
                for statement in ast.walk(node):
                    if isinstance(statement, ast.Return) and statement.value is not None:
                        used["action"].add((_value(statement.value, namespace), module_name))
    return {kind: {(name, module) for name, module in found if name is not None} for kind, found in used.items()}


USED = names_used()


def test_the_scan_finds_the_names_it_is_meant_to_find():
    """Guards the scan itself: names known to be used, each by a different route."""
    assert ("customer_name", "actions.conversation") in USED["slot"]  # SlotSet with a literal
    assert ("utter_ask_complaint_correction", "actions.complaints") in USED["response"]  # utter_message(response=)
    assert ("action_answer_shop_question", "actions.conversation") in USED["action"]  # name()
    assert len(USED["slot"]) >= 20 and len(USED["response"]) >= 50 and len(USED["action"]) >= 20


@pytest.mark.parametrize("name,module", sorted(USED["slot"]))
def test_every_slot_used_in_python_is_in_the_domain(name, module):
    assert name in set(DOMAIN["slots"]) | RASA_SLOTS, f"{module} uses the slot {name!r}, which domain.yml lacks"


@pytest.mark.parametrize("name,module", sorted(USED["response"]))
def test_every_response_used_in_python_is_in_the_domain(name, module):
    assert name in DOMAIN["responses"], f"{module} sends the response {name!r}, which domain.yml lacks"


@pytest.mark.parametrize("name,module", sorted(USED["action"]))
def test_every_action_named_in_python_is_in_the_domain(name, module):
    known = set(DOMAIN.get("actions", [])) | set(DOMAIN.get("forms", {})) | RASA_ACTIONS
    assert name in known, f"{module} names the action {name!r}, which domain.yml lacks"
