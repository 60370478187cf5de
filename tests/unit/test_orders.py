import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from actions import services
from customer_care.orders import (
    OrderNotChangeable,
    OrderNumberProblem,
    OrderStatus,
    RefundStatus,
    SQLiteOrderBackend,
    UnknownOrder,
    parse_order_number,
)
from customer_care.profile import shop_profile
from customer_care.sample_orders import sample_orders, seed_demo_orders
from tests.unit.conftest import TODAY
from tools import demo_orders


@pytest.mark.parametrize(
    "text, number",
    [
        ("104233", "104233"),
        ("#104233", "104233"),
        ("order no. 104233.", "104233"),
        ("it's 104 233", "104233"),
        ("my order 104233 from 2025", "104233"),
    ],
)
def test_parse_order_number_finds_six_digits(text, number):
    assert parse_order_number(text) == (number, None)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", OrderNumberProblem.MISSING),
        ("no idea", OrderNumberProblem.MISSING),
        ("12345", OrderNumberProblem.WRONG_LENGTH),
        ("1042333", OrderNumberProblem.WRONG_LENGTH),
        ("<script>1</script>", OrderNumberProblem.WRONG_LENGTH),
    ],
)
def test_parse_order_number_says_why_there_is_none(text, problem):
    assert parse_order_number(text) == (None, problem)


def test_new_database_is_seeded_with_sample_orders(backend):
    assert backend.list_numbers() == sorted(order.number for order in sample_orders(TODAY))


def test_seeding_happens_once(tmp_path):
    path = tmp_path / "orders.db"
    SQLiteOrderBackend(path, seed=lambda: sample_orders(TODAY)).cancel_order("104233")
    reopened = SQLiteOrderBackend(path, seed=lambda: sample_orders(TODAY))
    assert reopened.find_order("104233").status == OrderStatus.CANCELLED


def test_a_configured_backend_stays_empty_only_the_demo_adds_sample_orders(tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERS_DB", str(tmp_path / "shop.db"))
    services.settings.cache_clear()
    services.order_backend.cache_clear()
    try:
        assert services.settings().orders_db == tmp_path / "shop.db"
        assert services.order_backend().list_numbers() == []
    finally:  # the next test builds them from its own environment
        services.settings.cache_clear()
        services.order_backend.cache_clear()

    demo = seed_demo_orders(tmp_path / "demo.db")
    assert demo.list_numbers() == sorted(order.number for order in sample_orders())
    demo.cancel_order("104233")
    assert seed_demo_orders(tmp_path / "demo.db").find_order("104233").status == OrderStatus.CANCELLED


def test_the_demo_command_seeds_the_configured_path(tmp_path):
    assert demo_orders.main([str(tmp_path / "orders.db")]) == 0
    assert len(SQLiteOrderBackend(tmp_path / "orders.db").list_numbers()) == len(sample_orders())


# 26 hours apart: whatever the server's zone, its date differs from at least one of theirs.
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_sample_orders_are_dated_from_the_shops_today(zone, monkeypatch):
    monkeypatch.setattr("customer_care.sample_orders.shop_profile", lambda: replace(shop_profile(), timezone=zone))
    placed = {order.number: order.placed_on for order in sample_orders()}
    assert placed["104587"] == datetime.now(ZoneInfo(zone)).date()  # placed "today"
    assert sample_orders(date(2026, 1, 1))[0].placed_on == date(2025, 12, 31)


def test_find_order_reads_every_field(backend):
    order = backend.find_order("112604")
    assert order.customer_name == "Aisha Bello"
    assert order.items == ("Ceramic table lamp", "LED bulb E27")
    assert order.total == Decimal("58.80")
    assert order.delivered_on == TODAY - timedelta(days=15)
    assert order.refund.status == RefundStatus.REQUESTED
    assert order.refund.amount == Decimal("58.80")


def test_unknown_order_is_none(backend):
    assert backend.find_order("999999") is None
    assert backend.find_order("'; DROP TABLE orders; --") is None
    assert backend.find_order("104233") is not None


def test_cancel_a_processing_order(backend):
    assert backend.find_order("104587").can_be_cancelled
    cancelled = backend.cancel_order("104587")
    assert cancelled.status == OrderStatus.CANCELLED
    assert not cancelled.can_be_cancelled
    assert cancelled.expected_delivery is None


@pytest.mark.parametrize("number", ["109112", "110348", "111920", "117388", "113777"])
def test_orders_past_processing_cannot_be_cancelled(backend, number):
    status_before = backend.find_order(number).status
    with pytest.raises(OrderNotChangeable):
        backend.cancel_order(number)
    assert backend.find_order(number).status == status_before


def test_cancel_unknown_order_raises(backend):
    with pytest.raises(UnknownOrder):
        backend.cancel_order("999999")


def test_change_address_before_shipping(backend):
    changed = backend.change_shipping_address("120455", "Neue Straße 4, 28195 Bremen")
    assert changed.shipping_address == "Neue Straße 4, 28195 Bremen"
    assert backend.find_order("120455").shipping_address == "Neue Straße 4, 28195 Bremen"


def test_change_address_after_shipping_is_refused(backend):
    before = backend.find_order("118902").shipping_address
    with pytest.raises(OrderNotChangeable):
        backend.change_shipping_address("118902", "Elsewhere 1, 10115 Berlin")
    assert backend.find_order("118902").shipping_address == before


def test_address_text_is_stored_verbatim_not_executed(backend):
    tricky = "Robert'); DROP TABLE orders;-- 1, 10115 Berlin"
    backend.change_shipping_address("104233", tricky)
    assert backend.find_order("104233").shipping_address == tricky
    assert len(backend.list_numbers()) == len(sample_orders(TODAY))


def test_database_file_is_plain_sqlite(backend):
    with sqlite3.connect(backend.path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM refunds").fetchone()[0] == 5
