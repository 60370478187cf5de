"""Rasa's REST channel with its request checked first, and only verified identity passed on.

Rasa 3.6's own RestInput answers 500 when the JSON body is not an object (`[]`, `"hi"`) or when `message` is
not a string, because it calls `.get` on whatever it parsed, and it takes any size. This channel keeps the same
URL and replies (/webhooks/rest/webhook) and answers such requests with a 400 or 413 that says what is wrong,
before the body is parsed or the text is read; a message over the length cap gets a polite reply and goes no
further. A client (an address) that sends faster than connectors.limits allows gets a 429 with the same polite
reply as the widget, and its message goes no further either.

Identity: `metadata.customer_token` may carry the shop's signed customer token (customer_care/identity.py);
the message's metadata then holds what the token proves, and nothing else the client sent. Sender ids that
start with "web-" belong to the chat widget's conversations and are refused here, so knowing one is no way in.
"""

import json
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.limits import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARACTERS,
    MAX_SENDER_CHARACTERS,
    TOO_FAST,
    TOO_LONG,
    ClientMessageRate,
    shared_message_rate,
)
from connectors.turns import run_turn_or_apologise
from customer_care.identity import CONVERSATION_PREFIX, CustomerTokens, client_key, client_key_secret, trusted_metadata

_PARSED = "larkspur_payload"


def _payload(request: Request) -> Dict[Text, Any]:
    cached = getattr(request.ctx, _PARSED, None)
    if cached is not None:
        return cached
    if len(request.body or b"") > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        raise InvalidUsage("The body must be JSON.") from None
    if not isinstance(payload, dict):
        raise InvalidUsage('The body must be a JSON object like {"sender": "id", "message": "text"}.')
    setattr(request.ctx, _PARSED, payload)
    return payload


def _optional_text(request: Request, field: Text) -> Optional[Text]:
    value = _payload(request).get(field)
    if value is not None and not isinstance(value, str):
        raise InvalidUsage(f"'{field}' must be a string.")
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidUsage(f"'{field}' is not valid text.") from None
    return value


class ValidatedRestInput(RestInput):
    def __init__(
        self,
        customer_tokens: Optional[CustomerTokens] = None,
        client_secret: Optional[Text] = None,
        message_rate: Optional[ClientMessageRate] = None,
    ) -> None:
        self.customer_tokens = customer_tokens
        self.client_secret = client_secret
        self.message_rate = message_rate

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(CustomerTokens.from_environment(), client_key_secret(), shared_message_rate())

    def _client(self, request: Request) -> Optional[Text]:
        return client_key(request.remote_addr or request.ip, self.client_secret or client_key_secret())

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _optional_text(req, "sender")
        if sender is not None and (len(sender) > MAX_SENDER_CHARACTERS or not sender.strip()):
            raise InvalidUsage(f"'sender' must be 1 to {MAX_SENDER_CHARACTERS} characters.")
        if sender is not None and sender.startswith(CONVERSATION_PREFIX):
            raise InvalidUsage(f"Sender ids starting with '{CONVERSATION_PREFIX}' are reserved for the chat widget.")
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        return _optional_text(req, "message") or ""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def handle(message: UserMessage) -> None:
            # A polite reply, as the widget gets, and nothing for Rasa to read or keep.
            if len(message.text or "") > MAX_MESSAGE_CHARACTERS:
                await message.output_channel.send_text_message(message.sender_id, TOO_LONG)
                return
            await run_turn_or_apologise(on_new_message, message)

        custom_webhook = super().blueprint(handle)
        message_rate = self.message_rate or shared_message_rate()

        @custom_webhook.middleware("request")
        async def refuse_too_fast(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST" or message_rate.allow(self._client(request)):
                return None
            return response.json(
                [{"recipient_id": None, "text": TOO_FAST}],
                status=429,
                headers={"Retry-After": str(message_rate.retry_after(self._client(request)))},
            )

        return custom_webhook

    def _extract_input_channel(self, req: Request) -> Text:
        # Not the client's to choose: the channel decides where agents' replies go.
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _payload(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidUsage("'metadata' must be a JSON object.")
        return trusted_metadata(metadata, self.customer_tokens, self._client(request))
