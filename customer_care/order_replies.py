"""Which reply the assistant gives about a specific order (status, refund, cancellation, address change), and the
values it needs; the wording is in domain.yml under "# Orders"."""

from datetime import date
from typing import Dict, Optional

from customer_care.orders import ORDER_NUMBER_DIGITS, Order, OrderNumberProblem, OrderStatus, RefundStatus
from customer_care.profile import StoreProfile, join_words
from customer_care.replies import Reply


def format_day(day: date, today: date) -> str:
    offset = (day - today).days
    if offset == 0:
        return "today"
    if offset == 1:
        return "tomorrow"
    if offset == -1:
        return "yesterday"
    return f"{day:%A}, {day.day} {day:%B}"


def describe_items(order: Order) -> str:
    return join_words(list(order.items))


def _known_day(day: Optional[date]) -> date:
    """A day the order's status implies it has (a shipped order's expected delivery, a paid refund's payment)."""
    if day is None:
        raise TypeError("the order's status implies a day that it lacks")
    return day


def _named(name: Optional[str]) -> Dict[str, str]:
    """The customer's first name for a response's named variation (domain.yml picks it when the name is known)."""
    return {"name": name} if name else {}


def order_number_problem(problem: OrderNumberProblem) -> Reply:
    if problem == OrderNumberProblem.WRONG_LENGTH:
        return Reply("utter_order_number_wrong_length", {"digits": ORDER_NUMBER_DIGITS})
    return Reply("utter_order_number_missing")


def proof_not_at_hand(profile: StoreProfile) -> Reply:
    return Reply("utter_order_proof_not_at_hand", {"orders_url": profile.url("orders")})


def order_details_do_not_match(profile: StoreProfile) -> Reply:
    """One answer for an unknown number and for details that don't fit it, so the chat never tells which order
    numbers exist."""
    return Reply("utter_order_details_do_not_match", {"orders_url": profile.url("orders")})


def unknown_order_on_account(number: str, profile: StoreProfile) -> Reply:
    """For a signed-in customer: the same answer for a number that doesn't exist and one that isn't theirs."""
    return Reply("utter_unknown_order_on_account", {"order_number": number, "orders_url": profile.url("orders")})


def lookups_refused(profile: StoreProfile) -> Reply:
    return Reply(
        "utter_order_lookups_refused", {"orders_url": profile.url("orders"), "support_email": profile.support_email}
    )


def tracking_status(order: Order, today: date) -> Reply:
    values = {"order_number": order.number, "items": describe_items(order)}
    if order.status == OrderStatus.PROCESSING:
        if order.expected_delivery is None:
            return Reply("utter_order_processing", values)
        return Reply(
            "utter_order_processing_with_date", {**values, "expected_day": format_day(order.expected_delivery, today)}
        )
    if order.status == OrderStatus.SHIPPED:
        return Reply(
            "utter_order_shipped",
            {
                **values,
                "carrier": order.carrier,
                "tracking_code": order.tracking_code,
                "expected_day": format_day(_known_day(order.expected_delivery), today),
            },
        )
    if order.status == OrderStatus.OUT_FOR_DELIVERY:
        return Reply("utter_order_out_for_delivery", {**values, "carrier": order.carrier})
    if order.status == OrderStatus.DELIVERED:
        return Reply(
            "utter_order_delivered",
            {**values, "carrier": order.carrier, "delivered_day": format_day(_known_day(order.delivered_on), today)},
        )
    if order.status == OrderStatus.CANCELLED:
        return Reply("utter_order_was_cancelled", values)
    return Reply("utter_order_returned", values)


def refund_status(order: Order, profile: StoreProfile, today: date) -> Reply:
    refund = order.refund
    values = {"order_number": order.number, "refund_processing_days": profile.refund_processing_days}
    if refund is None:
        return Reply(
            "utter_refund_none",
            {**values, "refund_window_days": profile.refund_window_days, "orders_url": profile.url("orders")},
        )
    values.update(amount=profile.money(refund.amount), note=refund.note)
    if refund.status == RefundStatus.PAID:
        return Reply("utter_refund_paid", {**values, "paid_day": format_day(_known_day(refund.paid_on), today)})
    if refund.status == RefundStatus.APPROVED:
        return Reply("utter_refund_approved", values)
    if refund.status == RefundStatus.REJECTED:
        return Reply("utter_refund_rejected", {**values, "support_email": profile.support_email})
    return Reply("utter_refund_requested", {**values, "requested_day": format_day(refund.requested_on, today)})


def cancellation_question(order: Order) -> Reply:
    return Reply("utter_ask_cancellation_of_order", {"order_number": order.number, "items": describe_items(order)})


def cannot_cancel(order: Order, profile: StoreProfile) -> Reply:
    if order.status == OrderStatus.CANCELLED:
        return Reply("utter_order_already_cancelled", {"order_number": order.number})
    if order.status == OrderStatus.RETURNED:
        return Reply("utter_order_already_returned", {"order_number": order.number})
    return Reply(
        "utter_order_cannot_be_cancelled",
        {
            "order_number": order.number,
            "refund_window_days": profile.refund_window_days,
            "orders_url": profile.url("orders"),
            "return_fee": profile.money(profile.cancellation_fee_after_dispatch),
        },
    )


def order_cancelled(order: Order, profile: StoreProfile, name: Optional[str] = None) -> Reply:
    """`name`: the customer's first name, when known."""
    return Reply(
        "utter_order_cancelled",
        {
            "order_number": order.number,
            "total": profile.money(order.total),
            "refund_processing_days": profile.refund_processing_days,
            **_named(name),
        },
    )


def cancellation_kept(order_number: str) -> Reply:
    return Reply("utter_order_cancellation_kept", {"order_number": order_number})


def cannot_change_address(order: Order) -> Reply:
    if order.status in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
        return Reply(
            "utter_order_has_no_address_to_change", {"order_number": order.number, "status": order.status.value}
        )
    return Reply(
        "utter_order_address_cannot_change",
        {"order_number": order.number, "carrier": order.carrier, "tracking_code": order.tracking_code},
    )


def address_changed(order: Order, name: Optional[str] = None) -> Reply:
    return Reply(
        "utter_order_address_changed",
        {"order_number": order.number, "shipping_address": order.shipping_address, **_named(name)},
    )
