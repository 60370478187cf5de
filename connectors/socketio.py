"""Rasa's socket.io channel (the website widget's), with conversations bound to server-issued sessions.

Rasa 3.6's channel lets any client join any conversation: `session_request` with a conversation id puts the
socket in that conversation's room (it reads the agents' replies) and `user_uttered` with it writes as that
customer. Here the session id the widget keeps is a token the server signs (customer_care.identity.SessionTokens)
naming a conversation the server chose: a `session_request` without a valid one starts a new conversation, and
a message goes to the conversation bound to its socket, whatever session id it claims. Conversation ids (shown in
the console) are therefore no key. Replies still go to the room named after the conversation, as in Rasa, so the
console's agent replies reach the widget.

A long-polling POST that engine.io refuses (a packet type a client may not send, such as a ping, or a body over
the size cap) made python-engineio 4.15 disconnect the socket and then wait for a poll that never comes, so the
POST was never answered; here such a disconnect does not wait, and the POST gets its 400.

Several Rasa processes (make run-scaled): a customer's socket lives in the process that accepted it, so every
emit (the bot's replies, the agents' from the console through any process's HTTP API) goes through Redis to all
of them when LARKSPUR_SOCKETIO_REDIS_URL (or the file LARKSPUR_SOCKETIO_REDIS_URL_FILE names) is set, and the
process holding the socket delivers it (python-socketio's AsyncRedisManager). Its messages are pickled: the
Redis server must be one only the assistant's processes can reach, behind a password.

Also: the sites allowed to connect (`cors_allowed_origins`; Rasa's channel switches CORS handling off), a cap on
the size of one socket.io packet and of a message, a message rate per client address (shared with the REST
channel), and only verified identity in the messages' metadata.
"""

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from socketio import AsyncRedisManager, AsyncServer

from connectors.limits import (
    MAX_MESSAGE_CHARACTERS,
    MAX_SOCKET_MESSAGE_BYTES,
    TOO_FAST,
    TOO_LONG,
    ClientMessageRate,
    shared_message_rate,
)
from connectors.turns import run_turn_or_apologise
from customer_care.identity import (
    CustomerTokens,
    SessionTokens,
    client_key,
    client_key_secret,
    secret_from_environment,
    trusted_metadata,
)

logger = logging.getLogger(__name__)


def disconnect_without_waiting(eio: Any) -> None:
    """Make the engine.io server's disconnect of one client close its socket without waiting for the packets
    queued for it to be polled: after a refused POST nobody polls, and the POST's own answer waited forever."""
    disconnect_all = eio.disconnect

    async def disconnect(sid: Optional[Text] = None) -> None:
        if sid is None:
            await disconnect_all()
            return
        socket = eio.sockets.get(sid)
        if socket is not None:
            await socket.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
            eio.sockets.pop(sid, None)

    eio.disconnect = disconnect


REDIS_URL_VARIABLE = "LARKSPUR_SOCKETIO_REDIS_URL"
REDIS_CHANNEL = "larkspur-socketio"


class LocalFirstRedisManager(AsyncRedisManager):
    """python-socketio's Redis manager, but an emit reaches this process's sockets at once and goes through Redis
    only to the other processes' (python-socketio's own sends it round through Redis to this process too). A bot
    reply, which almost always answers a socket of this process, then arrives even while Redis is down or its
    listener is reconnecting, and a step sooner."""

    async def emit(
        self,
        event: Text,
        data: Any,
        namespace: Optional[Text] = None,
        room: Optional[Text] = None,
        skip_sid: Any = None,
        callback: Any = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("ignore_queue") or callback is not None:
            await super().emit(
                event, data, namespace=namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
            )
            return
        await super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid, ignore_queue=True)
        message = {"method": "emit", "event": event, "data": data, "namespace": namespace or "/", "room": room}
        await self._publish({**message, "skip_sid": skip_sid, "callback": None, "host_id": self.host_id})

    async def _handle_emit(self, message: Dict[Text, Any]) -> None:
        if message.get("host_id") == self.host_id:
            return  # delivered to this process's sockets when it was sent
        await super()._handle_emit(message)


def share_emits_through_redis(sio: AsyncServer, url: Text) -> None:
    """Give the socket.io server a Redis client manager before any client connects (the manager starts
    listening on the first connection), so its emits reach sockets held by other processes."""
    manager = LocalFirstRedisManager(url, channel=REDIS_CHANNEL, logger=logger)
    sio.manager = manager
    manager.set_server(sio)


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
            raise ValueError(
                'socketio: cors_allowed_origins must be "*" or a list of origins like "https://shop.example"'
            )
        if credentials.get("jwt_key"):
            raise ValueError(
                "socketio: jwt_key is not used by this channel; signed-in customers send the shop's "
                "token as customData.customer_token, verified with LARKSPUR_CUSTOMER_TOKEN_KEY"
            )
        channel = super().from_credentials(credentials)
        channel.allowed_origins = origins
        channel.sessions = SessionTokens.from_environment()
        channel.customer_tokens = CustomerTokens.from_environment()
        channel.client_secret = client_key_secret()
        channel.message_rate = shared_message_rate()
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        # The engine.io server checks these on every request, so setting them after creation is enough.
        sio.eio.cors_allowed_origins = getattr(self, "allowed_origins", DEFAULT_ORIGINS)
        sio.eio.max_http_buffer_size = MAX_SOCKET_MESSAGE_BYTES
        disconnect_without_waiting(sio.eio)
        redis_url = secret_from_environment(REDIS_URL_VARIABLE)
        if redis_url:
            share_emits_through_redis(sio, redis_url)
        sessions: SessionTokens = getattr(self, "sessions", None) or SessionTokens.from_environment()
        customer_tokens: Optional[CustomerTokens] = getattr(self, "customer_tokens", None)
        client_secret: Text = getattr(self, "client_secret", None) or client_key_secret()
        message_rate: ClientMessageRate = getattr(self, "message_rate", None) or shared_message_rate()

        async def say_to_socket(sid: Text, text: Text) -> None:
            # The socket is this process's: no need to go through Redis (which may be the part that is down).
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace, ignore_queue=True)

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            request = environ.get("sanic.request")
            address = (request.remote_addr or request.ip) if request is not None else environ.get("REMOTE_ADDR")
            await sio.save_session(sid, {"client": client_key(address, client_secret)}, namespace=self.namespace)
            return True

        async def session_request(sid: Text, data: Any = None) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            conversation_id = sessions.conversation_of(token)
            if conversation_id is None:
                session = sessions.issue()
                token, conversation_id = session.token, session.conversation_id
            state = await sio.get_session(sid, namespace=self.namespace)
            previous = state.get("conversation")
            if previous and previous != conversation_id:
                sio.leave_room(sid, previous, namespace=self.namespace)
            state["conversation"] = conversation_id
            await sio.save_session(sid, state, namespace=self.namespace)
            sio.enter_room(sid, conversation_id, namespace=self.namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

        async def handle_message(sid: Text, data: Any = None) -> None:
            state = await sio.get_session(sid, namespace=self.namespace)
            conversation_id = state.get("conversation") if self.session_persistence else sid
            if not conversation_id:
                logger.debug("A message before session_request on socket %s: ignored.", sid)
                return
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                return
            text = data.get("message", "")
            refusal = (
                TOO_FAST
                if not message_rate.allow(state.get("client"))
                else TOO_LONG
                if len(text) > MAX_MESSAGE_CHARACTERS
                else None
            )
            if refusal:
                await say_to_socket(sid, refusal)
                return
            metadata = trusted_metadata(data.get(self.metadata_key), customer_tokens, state.get("client"))
            message = UserMessage(
                text,
                SocketIOOutput(sio, self.bot_message_evt),
                conversation_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            await run_turn_or_apologise(on_new_message, message, lambda apology: say_to_socket(sid, apology))

        # Rasa's own handlers for these events are replaced (one handler per event and namespace).
        sio.on("connect", handler=connect, namespace=self.namespace)
        sio.on("session_request", handler=session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handler=handle_message, namespace=self.namespace)
        return socketio_webhook
