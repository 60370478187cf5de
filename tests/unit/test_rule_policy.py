"""IndexedRulePolicy finds exactly the rules Rasa's RulePolicy finds, only faster."""

import json
import random
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import SHOULD_NOT_BE_SET

from addons.rule_policy import IndexedRulePolicy
from customer_care.settings import PROJECT_ROOT

ACTIONS = ["action_listen", "utter_greet", "order_form", "complaint_form", "action_track_order", "utter_goodbye"]
INTENTS = ["greet", "track_order", "complaint", "affirm", "deny", "nlu_fallback"]


def _random_state(rng: random.Random) -> Dict[str, Any]:
    state: Dict[str, Any] = {}
    roll = rng.random()
    if roll < 0.8:
        state["prev_action"] = {"action_name": rng.choice(ACTIONS + [SHOULD_NOT_BE_SET])}
    elif roll < 0.85:
        state["prev_action"] = {"action_text": "Hello!"}
    if rng.random() < 0.6:
        state["user"] = {"intent": rng.choice(INTENTS + [SHOULD_NOT_BE_SET])}
        if rng.random() < 0.2:
            state["user"]["entities"] = ["order_number"]
    elif rng.random() < 0.1:
        state["user"] = {"text": "hi"}
    if rng.random() < 0.3:
        state["slots"] = {"order_number": rng.choice([[1.0], SHOULD_NOT_BE_SET])}
    if rng.random() < 0.3:
        state["active_loop"] = {"name": rng.choice(["order_form", "complaint_form", SHOULD_NOT_BE_SET])}
    return state


def _random_states(rng: random.Random, longest: int) -> List[Dict[str, Any]]:
    return [_random_state(rng) for _ in range(rng.randint(1, longest))]


def _policy(cls: type, tmp_path: Path, lookup: Dict[str, Dict[str, str]]) -> RulePolicy:
    policy = cls.create(
        cls.get_default_config(),
        LocalModelStorage(tmp_path / cls.__name__),
        Resource(cls.__name__),
        ExecutionContext(GraphSchema({}), "test"),
    )
    policy.lookup = lookup
    return policy


@pytest.fixture(scope="module")
def lookup() -> Dict[str, Dict[str, str]]:
    rng = random.Random(7)
    rules = {json.dumps(_random_states(rng, 4), sort_keys=True): rng.choice(ACTIONS) for _ in range(600)}
    unhappy = {json.dumps(_random_states(rng, 3), sort_keys=True): "do_not_predict_loop_action" for _ in range(60)}
    return {RULES: rules, RULES_FOR_LOOP_UNHAPPY_PATH: unhappy}


def test_the_same_rules_match_as_in_rasa_rule_policy(tmp_path: Path, lookup) -> None:
    rasa_policy = _policy(RulePolicy, tmp_path, lookup)
    indexed = _policy(IndexedRulePolicy, tmp_path, lookup)
    rng = random.Random(11)
    matched = 0
    for _ in range(3000):
        conversation = _random_states(rng, 5)
        for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
            expected = rasa_policy._get_possible_keys(lookup[table], conversation)
            assert indexed._get_possible_keys(lookup[table], conversation) == expected, conversation
            matched += bool(expected)
    assert matched > 300  # the comparison covers conversations that some rule matches, not only misses


def test_a_changed_lookup_gets_a_new_index(tmp_path: Path) -> None:
    greet_rule = json.dumps([{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}])
    bye_rule = json.dumps([{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "goodbye"}}])
    rules = {greet_rule: "utter_greet"}
    policy = _policy(IndexedRulePolicy, tmp_path, {RULES: rules, RULES_FOR_LOOP_UNHAPPY_PATH: {}})
    conversation = [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "goodbye"}}]
    assert policy._get_possible_keys(rules, conversation) == set()
    rules[bye_rule] = "utter_goodbye"  # training adds rules to the lookup as it goes
    assert policy._get_possible_keys(rules, conversation) == {bye_rule}


def test_config_yml_uses_the_indexed_rule_policy() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    assert "addons.rule_policy.IndexedRulePolicy" in [policy["name"] for policy in config["policies"]]
    assert "RulePolicy" not in [policy["name"] for policy in config["policies"]]
