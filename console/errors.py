"""The console's own refusals, and the HTTP status each failure maps to (shared by the JSON API and the forms)."""

from console.rasa_api import RasaUnavailable
from customer_care.tickets import TicketError


class ConsoleError(Exception):
    """A request the console refuses; the message is shown to the agent as it is."""

    status = 400


class InvalidInput(ConsoleError):
    status = 400


class NotAllowed(ConsoleError):
    status = 403


class UnknownTicket(ConsoleError):
    status = 404


EXPECTED_ERRORS = (ConsoleError, TicketError, RasaUnavailable)


def status_for(error: BaseException) -> int:
    if isinstance(error, ConsoleError):
        return error.status
    if isinstance(error, TicketError):
        return 409  # the ticket is closed or someone else's
    if isinstance(error, RasaUnavailable):
        return 502
    return 500
