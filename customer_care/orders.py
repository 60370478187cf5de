"""The order backend: what the assistant may read and change about orders.

`OrderBackend` is the interface a shop implements against its own system; `SQLiteOrderBackend` is the demo
implementation on an embedded database. It holds only the orders given to it: the demo's sample orders are added
by the demo (`customer_care.sample_orders.seed_demo_orders`), never to a backend because it happens to be empty.
"""

import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Protocol, Tuple

ORDER_NUMBER_DIGITS = 6
_DIGIT_RUN = re.compile(r"\d+")


class OrderStatus(str, Enum):
    PROCESSING = "processing"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class RefundStatus(str, Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Refund:
    status: RefundStatus
    amount: Decimal
    requested_on: date
    paid_on: Optional[date]
    note: str


@dataclass(frozen=True)
class Order:
    number: str
    customer_name: str
    email: str
    status: OrderStatus
    items: Tuple[str, ...]
    total: Decimal
    placed_on: date
    carrier: Optional[str]
    tracking_code: Optional[str]
    expected_delivery: Optional[date]
    delivered_on: Optional[date]
    shipping_address: str
    refund: Optional[Refund]
    postcode: str = ""  # of the delivery address when the order was placed: one of the two ways to prove it

    @property
    def can_be_cancelled(self) -> bool:
        return self.status == OrderStatus.PROCESSING

    @property
    def address_can_change(self) -> bool:
        return self.status == OrderStatus.PROCESSING


class OrderNumberProblem(str, Enum):
    MISSING = "missing"
    WRONG_LENGTH = "wrong_length"


def parse_order_number(text: str) -> Tuple[Optional[str], Optional[OrderNumberProblem]]:
    """Find the order number in what a customer typed ("#104233", "order no. 104 233", "104233.").

    Returns (number, None) for a well-formed number, or (None, problem) saying why there is none.
    """
    runs = _DIGIT_RUN.findall(text or "")
    joined = "".join(runs)
    if len(runs) > 1 and len(joined) == ORDER_NUMBER_DIGITS:
        return joined, None
    for run in runs:
        if len(run) == ORDER_NUMBER_DIGITS:
            return run, None
    return None, (OrderNumberProblem.WRONG_LENGTH if runs else OrderNumberProblem.MISSING)


class OrderBackend(Protocol):
    def find_order(self, number: str) -> Optional[Order]: ...

    def cancel_order(self, number: str) -> Order: ...

    def change_shipping_address(self, number: str, address: str) -> Order: ...

    def numbers_for_email(self, email: str, limit: int = 5) -> List[str]: ...


class OrderNotChangeable(Exception):
    """The order's status no longer allows the change (it has shipped, or it is cancelled)."""


class UnknownOrder(KeyError):
    pass


_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    number TEXT PRIMARY KEY,
    customer_name TEXT NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL,
    items TEXT NOT NULL,
    total TEXT NOT NULL,
    placed_on TEXT NOT NULL,
    carrier TEXT,
    tracking_code TEXT,
    expected_delivery TEXT,
    delivered_on TEXT,
    shipping_address TEXT NOT NULL,
    postcode TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS refunds (
    order_number TEXT PRIMARY KEY REFERENCES orders(number),
    status TEXT NOT NULL,
    amount TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    paid_on TEXT,
    note TEXT NOT NULL DEFAULT ''
);
"""

_ITEM_SEPARATOR = "\n"


def _optional_date(value: Optional[str]) -> Optional[date]:
    return date.fromisoformat(value) if value else None


class SQLiteOrderBackend:
    """Orders in an SQLite file, created with its tables when it is new; `seed` gives the orders to add when the file
    holds none yet (the demo's and the tests' sample orders)."""

    def __init__(self, path: Path, seed: Optional[Callable[[], Iterable[Order]]] = None) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executescript(_SCHEMA)
            columns = {row["name"] for row in connection.execute("PRAGMA table_info(orders)")}
            if "postcode" not in columns:  # a database made before orders had one
                connection.execute("ALTER TABLE orders ADD COLUMN postcode TEXT NOT NULL DEFAULT ''")
            empty = connection.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0
        if empty and seed is not None:
            self.add_orders(seed())

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10)
        connection.row_factory = sqlite3.Row
        return connection

    def add_orders(self, orders: Iterable[Order]) -> None:
        with self._lock, self._connect() as connection:
            for order in orders:
                connection.execute(
                    "INSERT OR REPLACE INTO orders (number, customer_name, email, status, items, total, placed_on, "
                    "carrier, tracking_code, expected_delivery, delivered_on, shipping_address, postcode) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        order.number,
                        order.customer_name,
                        order.email,
                        order.status.value,
                        _ITEM_SEPARATOR.join(order.items),
                        str(order.total),
                        order.placed_on.isoformat(),
                        order.carrier,
                        order.tracking_code,
                        order.expected_delivery.isoformat() if order.expected_delivery else None,
                        order.delivered_on.isoformat() if order.delivered_on else None,
                        order.shipping_address,
                        order.postcode,
                    ),
                )
                if order.refund:
                    refund = order.refund
                    connection.execute(
                        "INSERT OR REPLACE INTO refunds VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            order.number,
                            refund.status.value,
                            str(refund.amount),
                            refund.requested_on.isoformat(),
                            refund.paid_on.isoformat() if refund.paid_on else None,
                            refund.note,
                        ),
                    )

    def find_order(self, number: str) -> Optional[Order]:
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM orders WHERE number = ?", (number,)).fetchone()
            if row is None:
                return None
            refund_row = connection.execute("SELECT * FROM refunds WHERE order_number = ?", (number,)).fetchone()
        refund = None
        if refund_row is not None:
            refund = Refund(
                status=RefundStatus(refund_row["status"]),
                amount=Decimal(refund_row["amount"]),
                requested_on=date.fromisoformat(refund_row["requested_on"]),
                paid_on=_optional_date(refund_row["paid_on"]),
                note=refund_row["note"],
            )
        return Order(
            number=row["number"],
            customer_name=row["customer_name"],
            email=row["email"],
            status=OrderStatus(row["status"]),
            items=tuple(row["items"].split(_ITEM_SEPARATOR)),
            total=Decimal(row["total"]),
            placed_on=date.fromisoformat(row["placed_on"]),
            carrier=row["carrier"],
            tracking_code=row["tracking_code"],
            expected_delivery=_optional_date(row["expected_delivery"]),
            delivered_on=_optional_date(row["delivered_on"]),
            shipping_address=row["shipping_address"],
            refund=refund,
            postcode=row["postcode"],
        )

    def _require(self, number: str) -> Order:
        order = self.find_order(number)
        if order is None:
            raise UnknownOrder(number)
        return order

    def cancel_order(self, number: str) -> Order:
        return self._change_while_processing(
            number, "can_be_cancelled", "status = ?, expected_delivery = NULL", (OrderStatus.CANCELLED.value,)
        )

    def change_shipping_address(self, number: str, address: str) -> Order:
        return self._change_while_processing(number, "address_can_change", "shipping_address = ?", (address,))

    def _change_while_processing(
        self, number: str, allowed_when: str, assignments: str, values: Tuple[object, ...]
    ) -> Order:
        """Applies `assignments` (a fixed SQL SET clause) when the order's `allowed_when` property holds; the
        UPDATE checks the status again, so a change that raced it can't slip through."""
        with self._lock:
            if not getattr(self._require(number), allowed_when):
                raise OrderNotChangeable(number)
            with self._connect() as connection:
                connection.execute(
                    f"UPDATE orders SET {assignments} WHERE number = ? AND status = ?",
                    (*values, number, OrderStatus.PROCESSING.value),
                )
        return self._require(number)

    def numbers_for_email(self, email: str, limit: int = 5) -> List[str]:
        """The customer's most recent order numbers, newest first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT number FROM orders WHERE lower(email) = lower(?) ORDER BY placed_on DESC, number DESC LIMIT ?",
                (email, limit),
            )
            return [row[0] for row in rows]

    def list_numbers(self) -> List[str]:
        with self._connect() as connection:
            return [row[0] for row in connection.execute("SELECT number FROM orders ORDER BY number")]
