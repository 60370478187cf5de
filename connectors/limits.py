"""How much a client may send the channels, checked before anything is parsed or read."""

from customer_care.text_limits import MAX_MESSAGE_CHARACTERS  # one cap for the channels and the analysis

MAX_BODY_BYTES = 64 * 1024  # a REST request: a long message with metadata fits many times over
MAX_SOCKET_MESSAGE_BYTES = 64 * 1024  # one socket.io packet (engine.io's limit; its default is 1 MB)
MAX_SENDER_CHARACTERS = 200

TOO_LONG = (f"Sorry, that message is too long for me (the limit is {MAX_MESSAGE_CHARACTERS:,} characters). Could "
            "you send it in shorter parts?")
