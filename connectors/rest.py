"""Rasa's REST channel with its request checked first.

Rasa 3.6's own RestInput answers 500 when the JSON body is not an object (`[]`, `"hi"`) or when `message` is
not a string, because it calls `.get` on whatever it parsed. This channel keeps the same URL and replies
(/webhooks/rest/webhook) and answers such requests with a 400 that says what is wrong.
"""

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage
from sanic.request import Request

MAX_MESSAGE_CHARACTERS = 20_000


def _payload(request: Request) -> Dict[Text, Any]:
    payload = request.json
    if not isinstance(payload, dict):
        raise InvalidUsage('The body must be a JSON object like {"sender": "id", "message": "text"}.')
    return payload


def _optional_text(request: Request, field: Text) -> Optional[Text]:
    value = _payload(request).get(field)
    if value is not None and not isinstance(value, str):
        raise InvalidUsage(f"'{field}' must be a string.")
    return value


class ValidatedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return _optional_text(req, "sender")

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _optional_text(req, "message") or ""
        if len(message) > MAX_MESSAGE_CHARACTERS:
            raise InvalidUsage(f"'message' is longer than {MAX_MESSAGE_CHARACTERS} characters.")
        return message

    def _extract_input_channel(self, req: Request) -> Text:
        return _optional_text(req, "input_channel") or self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _payload(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidUsage("'metadata' must be a JSON object.")
        return metadata
