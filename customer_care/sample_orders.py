"""Demo orders for the embedded order database, dated relative to the day the database is created.

Only the demo adds them (`make run` through `python -m tools.demo_orders`, and the servers tools.servers starts
for the tests): a configured order backend never gets them, however empty it is.
"""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import List, Optional, Sequence
from zoneinfo import ZoneInfo

from customer_care.orders import Order, OrderStatus, Refund, RefundStatus, SQLiteOrderBackend
from customer_care.profile import shop_profile

_POSTCODE = re.compile(r"\b\d{5}\b")


def seed_demo_orders(path: Path) -> SQLiteOrderBackend:
    """The demo's order database at `path`, with the sample orders when it has no orders yet."""
    return SQLiteOrderBackend(path, seed=sample_orders)


def sample_orders(today: Optional[date] = None) -> List[Order]:
    """The demo orders, dated from `today` (by default the shop's today, in its own time zone)."""
    today = today or datetime.now(ZoneInfo(shop_profile().timezone)).date()

    def days(offset: int) -> date:
        return today + timedelta(days=offset)

    def order(
        number: str,
        name: str,
        email: str,
        status: OrderStatus,
        items: Sequence[str],
        total: str,
        placed: int,
        carrier: Optional[str] = None,
        tracking: Optional[str] = None,
        expected: Optional[int] = None,
        delivered: Optional[int] = None,
        address: str = "",
        refund: Optional[Refund] = None,
    ) -> Order:
        postcode = _POSTCODE.search(address)
        if postcode is None:
            raise ValueError(f"sample order {number}: no postcode in {address!r}")
        return Order(
            number,
            name,
            email,
            status,
            tuple(items),
            Decimal(total),
            days(placed),
            carrier,
            tracking,
            days(expected) if expected is not None else None,
            days(delivered) if delivered is not None else None,
            address,
            refund,
            postcode=postcode.group(0),
        )

    return [
        order(
            "104233",
            "Sarah Becker",
            "sarah.becker@mailbox.example",
            OrderStatus.PROCESSING,
            ["Electric kettle, 1.7 l, matte white"],
            "39.90",
            -1,
            expected=3,
            address="Lindenstraße 12, 10969 Berlin",
        ),
        order(
            "104587",
            "Tom Okafor",
            "tom.okafor@mailbox.example",
            OrderStatus.PROCESSING,
            ["Linen duvet cover 200x200", "2 x Linen pillowcase"],
            "129.00",
            0,
            expected=4,
            address="Hafenweg 3, 20457 Hamburg",
        ),
        order(
            "109112",
            "Priya Raman",
            "priya.r@mailbox.example",
            OrderStatus.SHIPPED,
            ["Cordless stick vacuum"],
            "219.00",
            -3,
            carrier="DHL",
            tracking="JD014600006281234561",
            expected=1,
            address="Sonnenallee 201, 12059 Berlin",
        ),
        order(
            "110348",
            "Marta Kowalska",
            "marta.k@mailbox.example",
            OrderStatus.OUT_FOR_DELIVERY,
            ["Garden hose reel, 30 m", "Brass spray nozzle"],
            "74.50",
            -4,
            carrier="Hermes",
            tracking="H1002345678901",
            expected=0,
            address="Rosenweg 8, 50667 Köln",
        ),
        order(
            "111920",
            "Jonas Weber",
            "jonas.weber@mailbox.example",
            OrderStatus.DELIVERED,
            ["Noise-cancelling headphones"],
            "149.00",
            -12,
            carrier="DPD",
            tracking="01234567890123",
            expected=-8,
            delivered=-8,
            address="Marktplatz 5, 80331 München",
        ),
        order(
            "112604",
            "Aisha Bello",
            "aisha.bello@mailbox.example",
            OrderStatus.DELIVERED,
            ["Ceramic table lamp", "LED bulb E27"],
            "58.80",
            -20,
            carrier="DHL",
            tracking="JD014600006287654321",
            expected=-16,
            delivered=-15,
            address="Kastanienallee 44, 10435 Berlin",
            refund=Refund(
                RefundStatus.REQUESTED, Decimal("58.80"), days(-3), None, "return parcel received, being checked"
            ),
        ),
        order(
            "113777",
            "Lukas Fischer",
            "lukas.f@mailbox.example",
            OrderStatus.RETURNED,
            ["Stand mixer, 5 l"],
            "249.00",
            -30,
            carrier="DHL",
            tracking="JD014600006281112223",
            expected=-26,
            delivered=-26,
            address="Schillerstraße 17, 60313 Frankfurt",
            refund=Refund(
                RefundStatus.PAID, Decimal("249.00"), days(-14), days(-9), "paid back to the Visa card ending 4242"
            ),
        ),
        order(
            "115060",
            "Chen Wei",
            "chen.wei@mailbox.example",
            OrderStatus.RETURNED,
            ["Bamboo bath mat", "2 x Waffle towel"],
            "45.70",
            -25,
            carrier="Hermes",
            tracking="H1009876543210",
            expected=-21,
            delivered=-21,
            address="Bergstraße 2, 01069 Dresden",
            refund=Refund(
                RefundStatus.APPROVED, Decimal("45.70"), days(-6), None, "approved, payment to PayPal on its way"
            ),
        ),
        order(
            "116245",
            "Elena García",
            "elena.garcia@mailbox.example",
            OrderStatus.DELIVERED,
            ["Personalised cutting board"],
            "34.00",
            -40,
            carrier="DPD",
            tracking="01234567891111",
            expected=-35,
            delivered=-35,
            address="Uferstraße 9, 04109 Leipzig",
            refund=Refund(
                RefundStatus.REJECTED, Decimal("34.00"), days(-20), None, "personalised items can't be refunded"
            ),
        ),
        order(
            "117388",
            "Noah Schmidt",
            "noah.schmidt@mailbox.example",
            OrderStatus.CANCELLED,
            ["Rattan garden chair"],
            "89.00",
            -6,
            address="Gartenweg 21, 70173 Stuttgart",
            refund=Refund(RefundStatus.PAID, Decimal("89.00"), days(-6), days(-4), "paid back to PayPal"),
        ),
        order(
            "118902",
            "Fatima Yilmaz",
            "fatima.y@mailbox.example",
            OrderStatus.SHIPPED,
            ["Cast-iron casserole, 24 cm"],
            "119.00",
            -2,
            carrier="GLS",
            tracking="ZX98765432",
            expected=2,
            address="Königsallee 60, 40212 Düsseldorf",
        ),
        order(
            "120455",
            "Oliver Brown",
            "oliver.brown@mailbox.example",
            OrderStatus.PROCESSING,
            ["Wool rug 160x230", "Rug underlay"],
            "310.00",
            0,
            expected=5,
            address="Am Markt 1, 28195 Bremen",
        ),
    ]
