"""Demo orders for the embedded order database, dated relative to the day the database is created.

Only the demo adds them (`make run` through `python -m tools.demo_orders`, and the servers tools.servers starts
for the tests): a configured order backend never gets them, however empty it is. The orders themselves are data,
in sample_orders.yml beside this module.
"""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, List, Mapping, Optional
from zoneinfo import ZoneInfo

import yaml

from customer_care.orders import Order, OrderStatus, Refund, RefundStatus, SQLiteOrderBackend
from customer_care.profile import shop_profile

SAMPLE_ORDERS_FILE = Path(__file__).with_name("sample_orders.yml")

_POSTCODE = re.compile(r"\b\d{5}\b")


def seed_demo_orders(path: Path) -> SQLiteOrderBackend:
    """The demo's order database at `path`, with the sample orders when it has no orders yet."""
    return SQLiteOrderBackend(path, seed=sample_orders)


def sample_orders(today: Optional[date] = None) -> List[Order]:
    """The demo orders, dated from `today` (by default the shop's today, in its own time zone)."""
    today = today or datetime.now(ZoneInfo(shop_profile().timezone)).date()
    entries = yaml.safe_load(SAMPLE_ORDERS_FILE.read_text(encoding="utf-8"))
    return [_order(entry, today) for entry in entries]


def _order(entry: Mapping[str, Any], today: date) -> Order:
    number = str(entry["number"])
    address = str(entry["address"])
    postcode = _POSTCODE.search(address)
    if postcode is None:
        raise ValueError(f"sample order {number}: no postcode in {address!r}")
    placed = _day(today, entry.get("placed"))
    if placed is None:
        raise ValueError(f"sample order {number}: no 'placed' day")
    refund = entry.get("refund")
    return Order(
        number=number,
        customer_name=str(entry["customer"]),
        email=str(entry["email"]),
        status=OrderStatus(entry["status"]),
        items=tuple(str(item) for item in entry["items"]),
        total=Decimal(str(entry["total"])),
        placed_on=placed,
        carrier=_optional_text(entry.get("carrier")),
        tracking_code=_optional_text(entry.get("tracking")),
        expected_delivery=_day(today, entry.get("expected")),
        delivered_on=_day(today, entry.get("delivered")),
        shipping_address=address,
        refund=None if refund is None else _refund(refund, today),
        postcode=postcode.group(0),
    )


def _refund(entry: Mapping[str, Any], today: date) -> Refund:
    requested = _day(today, entry.get("requested"))
    if requested is None:
        raise ValueError(f"sample refund {entry!r}: no 'requested' day")
    return Refund(
        status=RefundStatus(entry["status"]),
        amount=Decimal(str(entry["amount"])),
        requested_on=requested,
        paid_on=_day(today, entry.get("paid")),
        note=str(entry["note"]),
    )


def _day(today: date, offset: Any) -> Optional[date]:
    return None if offset is None else today + timedelta(days=int(offset))


def _optional_text(value: Any) -> Optional[str]:
    return None if value is None else str(value)
