"""Rasa's socket.io channel (the website widget's) with the origins allowed to connect set in credentials.yml.

Rasa 3.6 creates its socket.io server with CORS handling switched off: a page on another origin (the shop's
site, the demo page on the console's port) can't use the long-polling transport without CORS headers, and any
site could open a websocket. `cors_allowed_origins` lists the sites that embed the widget ("*" allows all).
"""

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput

Origins = Union[Text, List[Text]]
DEFAULT_ORIGINS: List[Text] = ["http://localhost:5006", "http://127.0.0.1:5006"]  # the demo shop page (make run)


class SocketIOWithOrigins(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = dict(credentials or {})
        origins = credentials.pop("cors_allowed_origins", DEFAULT_ORIGINS)
        if not (origins == "*" or (isinstance(origins, list) and all(isinstance(o, str) for o in origins))):
            raise ValueError('socketio: cors_allowed_origins must be "*" or a list of origins like '
                             '"https://shop.example"')
        channel = super().from_credentials(credentials)
        channel.allowed_origins = origins  # type: ignore[attr-defined]
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        socketio_webhook = super().blueprint(on_new_message)
        # The engine.io server checks this on every request, so setting it after creation is enough.
        self.sio.eio.cors_allowed_origins = getattr(self, "allowed_origins", DEFAULT_ORIGINS)
        return socketio_webhook
