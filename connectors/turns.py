"""Running a customer's turn in a channel, so that a failure of what the turn needs (the lock store, the tracker
store, the model) is said to the customer and logged, instead of an empty answer or a silent widget."""

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from connectors.limits import UNAVAILABLE

logger = logging.getLogger(__name__)


async def run_turn_or_apologise(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    apologise: Callable[[str], Awaitable[Any]] | None = None,
) -> None:
    """Run the turn of `message`; when it fails, log why and tell the customer (through `apologise`, by default
    the message's output channel) to send it again."""
    try:
        await on_new_message(message)
    except Exception as error:  # noqa: BLE001 - any failure of the turn gets the same apology
        logger.error(
            "Could not run the turn of a message in conversation %s (%s: %s); the customer was asked to send it again.",
            message.sender_id,
            type(error).__name__,
            error,
            exc_info=True,
        )
        if apologise is None:
            await message.output_channel.send_text_message(message.sender_id, UNAVAILABLE)
        else:
            await apologise(UNAVAILABLE)
