"""What the assistant offers once a customer has confirmed a complaint: an apology that fits it, and a concrete
solution for its category, grounded in the store profile and, when known, the order. The wording is in
domain.yml under "# Complaints"; this module picks the responses and computes their values."""

from dataclasses import dataclass
from datetime import date
from typing import Collection, Optional, Tuple

from customer_care import order_replies
from customer_care.orders import Order, OrderStatus
from customer_care.profile import StoreProfile
from customer_care.replies import Reply

# Categories whose solution depends on a particular order, so the assistant asks for its number.
ORDER_CATEGORIES = frozenset({"damaged_item", "wrong_item", "missing_item", "late_delivery", "refund_not_received"})
# The apology for each category (any other gets the one for "other"), and the stronger one for anger or a legal
# threat.
APOLOGIES = {
    "damaged_item": "utter_complaint_apology_damaged_item",
    "wrong_item": "utter_complaint_apology_wrong_item",
    "missing_item": "utter_complaint_apology_missing_item",
    "late_delivery": "utter_complaint_apology_late_delivery",
    "refund_not_received": "utter_complaint_apology_refund_not_received",
    "billing": "utter_complaint_apology_billing",
    "account_login": "utter_complaint_apology_account_login",
    "website_error": "utter_complaint_apology_website_error",
    "staff_behaviour": "utter_complaint_apology_staff_behaviour",
    "other": "utter_complaint_apology_other",
}
UPSET_APOLOGIES = {
    "damaged_item": "utter_complaint_apology_upset_damaged_item",
    "wrong_item": "utter_complaint_apology_upset_wrong_item",
    "missing_item": "utter_complaint_apology_upset_missing_item",
    "late_delivery": "utter_complaint_apology_upset_late_delivery",
    "refund_not_received": "utter_complaint_apology_upset_refund_not_received",
    "billing": "utter_complaint_apology_upset_billing",
    "account_login": "utter_complaint_apology_upset_account_login",
    "website_error": "utter_complaint_apology_upset_website_error",
    "staff_behaviour": "utter_complaint_apology_upset_staff_behaviour",
    "other": "utter_complaint_apology_upset_other",
}
# Severity signals a person must look at, whatever the category.
URGENT_SEVERITIES = frozenset({"safety", "legal", "fraud"})


@dataclass(frozen=True)
class Resolution:
    apology: Reply
    solution: Tuple[Reply, ...]  # sent one after the other, after the apology
    needs_person: bool  # the solution is a hand-over to a person rather than something the bot can promise
    outside_policy: bool = False  # what the customer needs is more than the shop's rules allow (past the return window)

    @property
    def replies(self) -> Tuple[Reply, ...]:
        return (self.apology,) + self.solution


def needs_order_number(category: str) -> bool:
    return category in ORDER_CATEGORIES


def apology(category: str, severity: Collection[str], name: Optional[str] = None) -> Reply:
    """An apology scaled to the complaint: its category, and stronger for anger, harm or fraud. Each response
    has a variation with the customer's first name, which domain.yml picks when the name is known."""
    values = {"name": name} if name else {}
    if "safety" in severity:
        return Reply("utter_complaint_apology_safety", values)
    if "fraud" in severity:
        return Reply("utter_complaint_apology_fraud", values)
    apologies = UPSET_APOLOGIES if "anger" in severity or "legal" in severity else APOLOGIES
    return Reply(apologies.get(category, apologies["other"]), values)


def _within_refund_window(order: Order, profile: StoreProfile, today: date) -> bool:
    received = order.delivered_on or order.expected_delivery
    return received is None or (today - received).days <= profile.refund_window_days


Solution = Tuple[Tuple[Reply, ...], bool]  # the replies, and whether they hand the case to a person


def _order_solution(category: str, order: Order, profile: StoreProfile, today: date) -> Solution:
    if category in ("damaged_item", "wrong_item"):
        if not _within_refund_window(order, profile, today):
            return (
                Reply(
                    "utter_complaint_past_return_window",
                    {"order_number": order.number, "refund_window_days": profile.refund_window_days},
                ),
            ), True
        response = (
            "utter_complaint_replacement_or_refund"
            if category == "damaged_item"
            else "utter_complaint_right_item_or_refund"
        )
        return (
            Reply(
                response,
                {
                    "order_number": order.number,
                    "total": profile.money(order.total),
                    "refund_processing_days": profile.refund_processing_days,
                },
            ),
        ), False
    if category == "missing_item":
        return (Reply("utter_complaint_missing_item_sent_again", {"order_number": order.number}),), False
    if category == "late_delivery":
        status = order_replies.tracking_status(order, today)
        if (
            order.status in (OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY)
            and order.expected_delivery
            and order.expected_delivery < today
        ):
            return (status, Reply("utter_complaint_delivery_search", {"carrier": order.carrier})), False
        return (status, Reply("utter_complaint_delivery_wait")), False
    # refund_not_received
    if order.refund is None:
        return (Reply("utter_complaint_no_refund_request", {"order_number": order.number}),), True
    return (order_replies.refund_status(order, profile, today),), False


def _general_solution(category: str, profile: StoreProfile) -> Solution:
    if category == "billing":
        return (
            Reply("utter_complaint_billing_check", {"refund_processing_days": profile.refund_processing_days}),
        ), False
    if category == "account_login":
        return (
            Reply(
                "utter_complaint_account_help",
                {"password_reset_url": profile.urls["password_reset"], "support_email": profile.support_email},
            ),
        ), False
    if category == "website_error":
        return (Reply("utter_complaint_website_help", {"support_phone": profile.support_phone}),), False
    if category == "staff_behaviour":
        return (Reply("utter_complaint_for_the_team_lead"),), True
    if category in ORDER_CATEGORIES:
        return (Reply("utter_complaint_needs_order_number"),), True
    return (Reply("utter_complaint_for_a_colleague"),), True


def resolve(
    category: str,
    severity: Collection[str],
    profile: StoreProfile,
    order: Optional[Order] = None,
    name: Optional[str] = None,
    *,
    today: date,
) -> Resolution:
    """The apology and the solution for a confirmed complaint; `today` in the shop's time zone."""
    sorry = apology(category, severity, name)
    if URGENT_SEVERITIES & set(severity):
        return Resolution(sorry, (Reply("utter_complaint_for_the_team"),), needs_person=True)
    if order is not None and category in ORDER_CATEGORIES:
        solution, needs_person = _order_solution(category, order, profile, today)
    else:
        solution, needs_person = _general_solution(category, profile)
    outside_policy = (
        order is not None
        and category in ("damaged_item", "wrong_item")
        and not _within_refund_window(order, profile, today)
    )
    return Resolution(sorry, solution, needs_person, outside_policy)
