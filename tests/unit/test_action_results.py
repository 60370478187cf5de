"""The compiled validator of action-server responses gives Rasa's verdicts, without re-checking the schema."""

from unittest import mock

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import connectors  # noqa: F401  (applies the seams, the compiled validator among them, as credentials.yml does)
from addons import action_results

VALID_RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "order_number", "value": "109112"}], "responses": [{"text": "Hi"}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "utter_greet"}]},
]
INVALID_RESPONSES = [
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"events": [{"event": "no_such_event"}]},
    {"events": [], "responses": ["just a string"]},
]


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_track_order", action_endpoint=None)


def test_connectors_package_installs_the_compiled_validator() -> None:
    assert RemoteAction._validate_action_result is action_results._validate_with_compiled_schema


@pytest.mark.parametrize("response", VALID_RESPONSES)
def test_valid_responses_are_accepted_without_checking_the_schema_again(action, response) -> None:
    with mock.patch.object(jsonschema.validators.Draft202012Validator, "check_schema") as check_schema:
        assert action._validate_action_result(response) is True
    check_schema.assert_not_called()
    jsonschema.validate(response, RemoteAction.action_response_format_spec())  # Rasa's own check agrees


@pytest.mark.parametrize("response", INVALID_RESPONSES)
def test_invalid_responses_fail_with_rasas_error(action, response) -> None:
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)
