"""What each hostile input becomes on the Rasa socket.io channel (five events, as the widget sends them), and the
clients that send them: an event counts as handled once acknowledged, a dropped client as a refusal."""

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

from tests.abuse.barrage import Barrage, Outcome
from tests.abuse.conftest import SOCKET_TIMEOUT, WidgetClient
from tests.abuse.hostile_value import Hostile

SOCKET_CLIENTS = 12
SESSION_REQUEST_TIMEOUT = 10.0  # a session_request handler does no real work: 10 s is ample


@dataclass
class SocketDelivery:
    endpoint: str
    hostile: Hostile
    turn: bool
    event: str
    payload: Callable[[Any], Any]  # the client's current session id -> the event's data
    timeout: float = SOCKET_TIMEOUT


def _socket_value(hostile: Hostile) -> Any:
    """bytes travel as a binary attachment; a raw JSON document as its text (the polling delivery sends it raw)."""
    if isinstance(hostile.value, bytes):
        return hostile.value
    if hostile.raw_json is not None:
        return hostile.raw_json
    return hostile.value


def _decoder_refuses(value: Any) -> bool:
    """Whether python-engineio's JSON decoder refuses the packet: it takes no integer of more than 100 digits
    (its own guard against slow int parsing) and drops such a packet with a logged error, unacknowledged. A
    refusal by the library, not a failure of our handler."""
    if isinstance(value, int) and not isinstance(value, bool):
        return len(str(abs(value))) > 100
    if isinstance(value, list):
        return any(_decoder_refuses(item) for item in value)
    if isinstance(value, dict):
        return any(_decoder_refuses(item) for item in value.values())
    return False


def socket_deliveries(hostile: Hostile) -> List[SocketDelivery]:
    """Five events per input; three run a turn at most. To keep the barrage within its time on 2 cores, an input
    that is not the message rides on one turn in two places: `message` with `customData`'s fields, and
    `session_id` with `customData` as a whole."""
    value = _socket_value(hostile)
    fields = {"name": value, "email": value, "language": value, "customer_token": value}
    return [
        SocketDelivery(
            "sio session_request payload", hostile, False, "session_request", lambda s: value, SESSION_REQUEST_TIMEOUT
        ),
        SocketDelivery(
            "sio session_request session_id",
            hostile,
            False,
            "session_request",
            lambda s: {"session_id": value},
            SESSION_REQUEST_TIMEOUT,
        ),
        SocketDelivery("sio user_uttered payload", hostile, True, "user_uttered", lambda s: value),
        SocketDelivery(
            "sio user_uttered message+customData fields",
            hostile,
            True,
            "user_uttered",
            lambda s: {"message": value, "session_id": s, "customData": fields},
        ),
        SocketDelivery(
            "sio user_uttered session_id+customData",
            hostile,
            True,
            "user_uttered",
            lambda s: {"message": "hi", "session_id": value, "customData": value},
        ),
    ]


async def _acknowledged(client: WidgetClient, event: str, data: Any, timeout: float) -> str:
    """'ack', 'disconnected' (the server dropped the client) or 'no ack' (connected, but never acknowledged)."""
    call = asyncio.ensure_future(client.call(event, data, timeout=timeout))
    deadline = time.monotonic() + timeout
    while not call.done():
        if not client.sio.connected:
            call.cancel()
            return "disconnected"
        if time.monotonic() > deadline + 1:
            call.cancel()
            break
        await asyncio.wait({call}, timeout=0.2)
    if call.cancelled():
        return "no ack"
    error = call.exception()
    if error is None:
        return "ack"
    if not client.sio.connected:
        return "disconnected"
    if "timeout" in type(error).__name__.lower():
        return "no ack"
    raise error


async def _socket_worker(barrage: Barrage, queue: "asyncio.Queue[SocketDelivery]") -> None:
    client: Optional[WidgetClient] = None
    session: Any = None
    try:
        while not queue.empty():
            delivery = queue.get_nowait()
            hostile = delivery.hostile
            reason = barrage.skip_reason(delivery.endpoint, delivery.turn)
            if reason:
                barrage.record(Outcome(delivery.endpoint, hostile.name, hostile.category, "skipped", reason))
                continue
            source = barrage.sources.get(hostile.name)
            try:
                if client is None or not client.sio.connected or client.source != source:
                    if client is not None:
                        await client.close()
                    client = WidgetClient(barrage.servers.rasa_url, source)
                    await client.connect()
                    session = await client.session(None)
            except Exception as error:  # noqa: BLE001 - the server refused a plain connection
                loop = asyncio.get_running_loop()
                if await loop.run_in_executor(None, barrage.is_down, barrage.servers.rasa_url):
                    barrage.record(
                        Outcome(
                            delivery.endpoint,
                            hostile.name,
                            hostile.category,
                            "skipped",
                            "the Rasa server stopped accepting connections",
                        )
                    )
                else:
                    barrage.record(
                        Outcome(
                            delivery.endpoint,
                            hostile.name,
                            hostile.category,
                            "failed",
                            f"could not connect: {type(error).__name__}: {error}",
                        )
                    )
                    barrage.count_failure(delivery.endpoint)
                client = None
                continue
            began = time.monotonic()
            key = barrage.start(delivery.endpoint, hostile)
            timeout = 5.0 if _decoder_refuses(hostile.value) else delivery.timeout
            try:
                state = await _acknowledged(client, delivery.event, delivery.payload(session), timeout)
            except (TypeError, ValueError, UnicodeError) as error:
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "not sent",
                        f"the client refused: {type(error).__name__}: {str(error)[:80]}",
                    )
                )
                continue
            finally:
                barrage.end(key)
            seconds = time.monotonic() - began
            if state == "ack":
                barrage.record(
                    Outcome(
                        delivery.endpoint, hostile.name, hostile.category, "ok", "acknowledged", seconds, hostile.size()
                    )
                )
            elif state == "disconnected" and await asyncio.get_running_loop().run_in_executor(
                None, barrage.is_down, barrage.servers.rasa_url
            ):
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "failed",
                        "connection lost, the server stopped accepting connections",
                        seconds,
                        hostile.size(),
                    )
                )
            elif state == "disconnected":
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "refused",
                        "disconnected by the server",
                        seconds,
                        hostile.size(),
                    )
                )
            elif _decoder_refuses(hostile.value):
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "refused",
                        "dropped by the packet decoder (an integer of over 100 digits)",
                        seconds,
                        hostile.size(),
                    )
                )
            else:
                barrage.record(
                    Outcome(
                        delivery.endpoint,
                        hostile.name,
                        hostile.category,
                        "failed",
                        f"never acknowledged within {delivery.timeout:.0f} s (the handler raised or hung)",
                        seconds,
                        hostile.size(),
                    )
                )
                barrage.count_failure(delivery.endpoint)
                if delivery.turn:
                    await asyncio.get_running_loop().run_in_executor(
                        None, barrage.check_stall, f"{delivery.endpoint} <- {hostile.name}"
                    )
            if delivery.event == "session_request":
                session = client.confirms[-1] if client.confirms else session
                # A refused session_request may leave the socket without a conversation: start a valid one again.
                try:
                    session = await client.session(None)
                except Exception:  # noqa: BLE001 - reconnects on the next delivery
                    await client.close()
                    client = None
    finally:
        if client is not None:
            await client.close()


def run_sockets(barrage: Barrage, deliveries: List[SocketDelivery]) -> None:
    async def main() -> None:
        queue: asyncio.Queue[SocketDelivery] = asyncio.Queue()
        for delivery in deliveries:
            queue.put_nowait(delivery)
        await asyncio.gather(*(_socket_worker(barrage, queue) for _ in range(SOCKET_CLIENTS)))

    asyncio.run(main())
