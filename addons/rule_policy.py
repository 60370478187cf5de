"""RulePolicy that looks its rules up in an index instead of testing every rule on every prediction.

Rasa's RulePolicy checks each learned rule against the conversation, newest state first, for every action it
predicts. This assistant has about 530 rules (the or-lists of shop intents, once per form), so that linear scan
was the largest share of the Rasa server's CPU time per turn. A rule can only match when its newest state's
previous action and intent equal the conversation's, so the rules are indexed by those two values; the few
candidates left then go through Rasa's own check, so the predictions are exactly RulePolicy's:
tests/unit/test_rule_policy.py compares the two on thousands of generated rules and conversations, and
`make test-stories` runs every test story with this policy.
"""

from collections import defaultdict
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

from addons import seams

# `rasa train` and `rasa test` load this policy from config.yml without our launchers; among the seams is the
# silencing of the recipe validator's warning about a RulePolicy subclass, needed before it validates.
seams.install()

State = Dict[Text, Dict[Text, object]]
ANY = object()  # a rule that leaves the previous action or the intent open
IndexKey = Tuple[object, object]


def _required_value(sub_state: object, key: Text) -> object:
    """The value a rule state requires for `key`, or ANY when any value (or none) may match."""
    if not isinstance(sub_state, dict):
        return ANY
    value = sub_state.get(key)
    if not value or value == SHOULD_NOT_BE_SET or not isinstance(value, str):
        return ANY
    return value


def _conversation_value(state: State, sub_state_name: Text, key: Text) -> object:
    sub_state = state.get(sub_state_name)
    return sub_state.get(key) if isinstance(sub_state, dict) else None


class RuleIndex:
    """Rule keys grouped by the previous action and intent their newest state requires."""

    def __init__(self, rule_keys: FrozenSet[Text], states_of: Callable[[Text], List[State]]) -> None:
        self.rule_keys = rule_keys
        self._buckets: Dict[IndexKey, List[Text]] = defaultdict(list)
        for rule_key in rule_keys:
            newest_state = states_of(rule_key)[-1]
            if newest_state.get(PREVIOUS_ACTION):
                action = _required_value(newest_state[PREVIOUS_ACTION], ACTION_NAME)
                intent = _required_value(newest_state.get(USER), INTENT)
            else:  # a conversation-start rule matches a conversation start whatever its intent
                action = intent = ANY
            self._buckets[(action, intent)].append(rule_key)

    def candidates(self, newest_state: State) -> Set[Text]:
        """The rules that may match a conversation whose newest state is `newest_state` (a superset of those
        that do)."""
        action = _conversation_value(newest_state, PREVIOUS_ACTION, ACTION_NAME)
        intent = _conversation_value(newest_state, USER, INTENT)
        found: Set[Text] = set()
        for key in ((action, intent), (action, ANY), (ANY, intent), (ANY, ANY)):
            found.update(self._buckets.get(key, ()))
        return found


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class IndexedRulePolicy(RulePolicy):
    """RulePolicy with indexed rule lookup; configured and trained exactly like RulePolicy."""

    _indexes: Optional[Dict[int, RuleIndex]] = None

    def train(self, training_trackers: List[Any], domain: Domain, **kwargs: Any) -> Resource:
        # Rasa's recipe validator runs this check only for RulePolicy itself (see addons.seams.SUBCLASS_WARNING).
        self.raise_if_incompatible_with_domain(self.config, domain)
        return super().train(training_trackers, domain, **kwargs)

    def _index_for(self, lookup: Dict[Text, Text]) -> RuleIndex:
        if self._indexes is None:
            self._indexes = {}
        index = self._indexes.get(id(lookup))
        # Training changes the lookups between predictions; an index only serves the rules it was built from.
        if index is None or lookup.keys() != index.rule_keys:
            index = RuleIndex(frozenset(lookup), self._rule_key_to_state)
            self._indexes[id(lookup)] = index
        return index

    # Overrides a private method of Rasa 3.6's RulePolicy (a seam: addons.seams pins the Rasa version).
    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
        if not states:
            return set(lookup.keys())
        possible_keys = self._index_for(lookup).candidates(states[-1])
        for turn_index, state in enumerate(reversed(states)):
            possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
        return possible_keys
