"""What the assistant says about a specific order: status, refund, cancellation and address changes."""

from datetime import date
from typing import Optional

from customer_care.orders import ORDER_NUMBER_DIGITS, Order, OrderNumberProblem, OrderStatus, RefundStatus
from customer_care.profile import StoreProfile, join_words


def format_day(day: date, today: Optional[date] = None) -> str:
    today = today or date.today()
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


ASK_ORDER_NUMBER = "What's your order number, please? It has 6 digits and is in your order confirmation e-mail."
ASK_WHICH_ORDER = "Which order is it about? Pick one of your recent orders, or type its 6-digit number."
ASK_SHIPPING_ADDRESS = "What's the new delivery address? Please give street and house number, postcode and city."
INVALID_SHIPPING_ADDRESS = (
    "That doesn't look like a full address. Please give street and house number, postcode and city, "
    "for example: Lindenstraße 12, 10969 Berlin."
)


def order_number_problem(problem: OrderNumberProblem) -> str:
    if problem == OrderNumberProblem.WRONG_LENGTH:
        return (
            f"Hmm, that number doesn't look right: order numbers have {ORDER_NUMBER_DIGITS} digits, like "
            "104233. You'll find yours in the order confirmation e-mail."
        )
    return "I couldn't find an order number in that."


ASK_ORDER_CHECK = ("To keep your order details private: what's the e-mail address or the delivery postcode the "
                   "order was placed with?")


def proof_not_at_hand(profile: StoreProfile) -> str:
    return (
        "No problem: the postcode of the delivery address works just as well. If you have neither to hand, you'll "
        f"find all your orders in {profile.url('orders')} when you're signed in, or I can bring in a member of "
        "our team: just say so."
    )


def order_details_do_not_match(profile: StoreProfile) -> str:
    """One answer for an unknown number and for details that don't fit it, so the chat never tells which order
    numbers exist."""
    return (
        "I'm sorry, I couldn't find an order with that number and those details. Please check the 6-digit number "
        "in your order confirmation e-mail, and give the e-mail address or postcode you ordered with. When you're "
        f"signed in, all your orders are listed in {profile.url('orders')}."
    )


def unknown_order_on_account(number: str, profile: StoreProfile) -> str:
    """For a signed-in customer: the same answer for a number that doesn't exist and one that isn't theirs."""
    return (
        f"I'm sorry, I couldn't find an order with the number {number} in your account. Could you check it "
        f"against your confirmation e-mail? All your orders are also listed in {profile.url('orders')}."
    )


def lookups_refused(profile: StoreProfile) -> str:
    return (
        "For your security, I can't look up any more orders in this chat for now. You'll find all your orders in "
        f"{profile.url('orders')} when you're signed in, or our team can help at {profile.support_email}."
    )


def tracking_status(order: Order, today: Optional[date] = None) -> str:
    where = f"Order {order.number} ({describe_items(order)})"
    if order.status == OrderStatus.PROCESSING:
        expected = f" and should arrive {format_day(order.expected_delivery, today)}" if order.expected_delivery else ""
        return f"{where} is being packed in our warehouse{expected}. I'll have a tracking number once it ships."
    if order.status == OrderStatus.SHIPPED:
        return (
            f"{where} is on its way with {order.carrier} (tracking number {order.tracking_code}) and should "
            f"arrive {format_day(order.expected_delivery, today)}."
        )
    if order.status == OrderStatus.OUT_FOR_DELIVERY:
        return f"Good news: {where} is out for delivery with {order.carrier} and should reach you today."
    if order.status == OrderStatus.DELIVERED:
        return (
            f"{where} was delivered {format_day(order.delivered_on, today)} by {order.carrier}. If you can't "
            "find it, check with your neighbours or the carrier's notice, and tell me if it's still missing."
        )
    if order.status == OrderStatus.CANCELLED:
        return f"{where} was cancelled, so it won't be delivered."
    return f"{where} was sent back to us as a return."


def refund_status(order: Order, profile: StoreProfile, today: Optional[date] = None) -> str:
    refund = order.refund
    if refund is None:
        return (
            f"There's no refund on order {order.number} yet. To get one, return the items within "
            f"{profile.refund_window_days} days of delivery from {profile.url('orders')}; we refund within "
            f"{profile.refund_processing_days} business days after the parcel arrives."
        )
    amount = profile.money(refund.amount)
    if refund.status == RefundStatus.PAID:
        return (
            f"Your refund of {amount} for order {order.number} was paid on {format_day(refund.paid_on, today)}: "
            f"{refund.note}. Depending on your bank it can take 2-3 more days to show on your statement."
        )
    if refund.status == RefundStatus.APPROVED:
        return f"Your refund of {amount} for order {order.number} is approved ({refund.note}). It should arrive within 3 business days."
    if refund.status == RefundStatus.REJECTED:
        return (
            f"The refund request for order {order.number} was declined: {refund.note}. If you think that's "
            f"wrong, please write to {profile.support_email} and the team will look at it again."
        )
    return (
        f"We received your refund request for order {order.number} on {format_day(refund.requested_on, today)} "
        f"({refund.note}). Refunds of {amount} are paid within {profile.refund_processing_days} business days "
        "after the check."
    )


def cancellation_question(order: Order) -> str:
    return (
        f"Order {order.number} ({describe_items(order)}) hasn't shipped yet, so I can cancel it free of charge. "
        "Shall I cancel it?"
    )


def cannot_cancel(order: Order, profile: StoreProfile) -> str:
    if order.status == OrderStatus.CANCELLED:
        return f"Order {order.number} is already cancelled; there's nothing more to do."
    if order.status == OrderStatus.RETURNED:
        return f"Order {order.number} has already been returned, so it can't be cancelled."
    return (
        f"I'm sorry, order {order.number} has already left our warehouse, so I can't cancel it any more. "
        f"Once it arrives you can return it within {profile.refund_window_days} days from "
        f"{profile.url('orders')}; we deduct {profile.money(profile.cancellation_fee_after_dispatch)} for "
        "return shipping."
    )


def order_cancelled(order: Order, profile: StoreProfile, addressee: str = "") -> str:
    """`addressee` is ", Name" when the customer's name is known."""
    return (
        f"Done{addressee}: order {order.number} is cancelled. You'll get a confirmation e-mail, and the "
        f"{profile.money(order.total)} go back to your payment method within {profile.refund_processing_days} "
        "business days."
    )


def cancellation_kept(order_number: str) -> str:
    return f"Alright, I haven't changed anything: order {order_number} stays as it is."


def cannot_change_address(order: Order) -> str:
    if order.status in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
        return f"Order {order.number} is {order.status.value}, so there's no delivery address to change."
    return (
        f"I'm sorry, order {order.number} has already left our warehouse with {order.carrier}, so I can't "
        f"change its address any more. You can redirect it on the carrier's website with tracking number "
        f"{order.tracking_code}."
    )


def address_changed(order: Order, addressee: str = "") -> str:
    return f"Done{addressee}: order {order.number} will now be delivered to {order.shipping_address}."
