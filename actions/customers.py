"""Who the customer is in this chat, as the channels verified it (customer_care.identity), and which orders
they may see: their own when signed in, otherwise those they proved with the order's e-mail or postcode."""

from typing import Optional, Text

from rasa_sdk import Tracker

from customer_care.identity import VerifiedCustomer
from customer_care.order_access import belongs_to
from customer_care.orders import Order

VERIFIED_ORDERS = "verified_orders"


def _metadata(tracker: Tracker) -> dict:
    metadata = (tracker.latest_message or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def signed_in_customer(tracker: Tracker) -> Optional[VerifiedCustomer]:
    """The customer the shop's token proved on the latest message (the channel drops any unverified claim)."""
    return VerifiedCustomer.from_metadata(_metadata(tracker).get("customer"))


def client_of(tracker: Tracker) -> Optional[Text]:
    """The pseudonym of the customer's network address the channel added, for per-client limits."""
    client = _metadata(tracker).get("client")
    return client if isinstance(client, str) and client else None


def may_see(tracker: Tracker, order: Optional[Order]) -> bool:
    if order is None:
        return False
    customer = signed_in_customer(tracker)
    if customer is not None:
        return belongs_to(order, customer)
    return order.number in (tracker.get_slot(VERIFIED_ORDERS) or [])
