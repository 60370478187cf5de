"""What the assistant offers once a customer has confirmed a complaint: an apology that fits it, and a concrete
solution for its category, grounded in the store profile and, when known, the order."""

from dataclasses import dataclass
from datetime import date
from typing import Collection, Optional, Tuple

from customer_care import order_replies
from customer_care.orders import Order, OrderStatus
from customer_care.profile import StoreProfile

# Categories whose solution depends on a particular order, so the assistant asks for its number.
ORDER_CATEGORIES = frozenset(
    {"damaged_item", "wrong_item", "missing_item", "late_delivery", "refund_not_received"}
)
# Severity signals a person must look at, whatever the category.
URGENT_SEVERITIES = frozenset({"safety", "legal", "fraud"})


@dataclass(frozen=True)
class Resolution:
    apology: str
    solution: str
    needs_person: bool  # the solution is a hand-over to a person rather than something the bot can promise
    outside_policy: bool = False  # what the customer needs is more than the shop's rules allow (past the return window)

    @property
    def text(self) -> str:
        return f"{self.apology} {self.solution}"


def needs_order_number(category: str) -> bool:
    return category in ORDER_CATEGORIES


# What the assistant is sorry about, completing "I'm sorry ...".
_REGRETS = {
    "damaged_item": "your item arrived damaged; that's not the condition it should reach you in.",
    "wrong_item": "we sent you the wrong item; I know that means waiting even longer for the right one.",
    "missing_item": "something is missing from your delivery.",
    "late_delivery": "your delivery is taking longer than it should.",
    "refund_not_received": "you're still waiting for your money; that's frustrating.",
    "billing": "about the trouble with your payment; being charged wrongly is worrying.",
    "account_login": "you're having trouble with your account.",
    "website_error": "our website let you down.",
    "staff_behaviour": "about how you were treated; that is not how we want anyone to feel.",
    "other": "about this, and thank you for telling us.",
}


def apology(category: str, severity: Collection[str], name: Optional[str] = None) -> str:
    """An apology scaled to the complaint: its category, and stronger for anger, harm or fraud."""
    addressee = f", {name}" if name else ""
    regret = _REGRETS.get(category, _REGRETS["other"])
    if "safety" in severity:
        return (f"I'm very sorry{addressee}, and I'm glad you told us. Please stop using the item for now; "
                "your safety matters more than anything else here.")
    if "fraud" in severity:
        return f"I'm very sorry{addressee}; a charge you didn't authorise is serious, and we'll treat it that way."
    if "anger" in severity or "legal" in severity:
        return f"I completely understand why you're upset{addressee}, and I'm truly sorry {regret}"
    return f"{name}, I'm sorry {regret}" if name else f"I'm sorry {regret}"


def _within_refund_window(order: Order, profile: StoreProfile, today: date) -> bool:
    received = order.delivered_on or order.expected_delivery
    return received is None or (today - received).days <= profile.refund_window_days


def _person_follow_up(lead: str = "I'd like a member of our team to take this over.") -> str:
    """The hand-over offer; what happens next (live chat or a reply by e-mail) comes with the ticket."""
    return f"{lead} I'll pass them everything you've told me, so you won't have to repeat yourself."


Solution = Tuple[str, bool]  # the text, and whether it hands the case to a person


def _order_solution(category: str, order: Order, profile: StoreProfile, today: date) -> Solution:
    money = f"{profile.currency_symbol}{order.total:.2f}"
    if category in ("damaged_item", "wrong_item"):
        if not _within_refund_window(order, profile, today):
            return _person_follow_up(f"Order {order.number} is past our {profile.refund_window_days}-day "
                                              "return window, so I'd like a colleague to look at it."), True
        what = "a replacement" if category == "damaged_item" else "the right item"
        return (f"For order {order.number} we can send you {what} straight away, or refund the {money} in full, "
                f"whichever you prefer. We'll e-mail a free return label; the refund reaches you within "
                f"{profile.refund_processing_days} business days of the return."), False
    if category == "missing_item":
        return (f"We'll check the packing record for order {order.number} and send the missing item out again at no "
                f"cost; if it's out of stock, we'll refund it instead."), False
    if category == "late_delivery":
        status = order_replies.tracking_status(order, today)
        if order.status in (OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY) and order.expected_delivery and \
                order.expected_delivery < today:
            return (f"{status} It's overdue, so we're opening a search with {order.carrier}; if it hasn't arrived "
                    "within 2 business days, we'll send it again or refund you, your choice."), False
        return f"{status} If it hasn't arrived by then, tell me and we'll send it again or refund you.", False
    # refund_not_received
    if order.refund is None:
        return _person_follow_up(f"I can't see a refund request on order {order.number} yet; refunds start "
                                          "when a return reaches us, so I'd like the team to check."), True
    return order_replies.refund_status(order, profile, today), False


def _general_solution(category: str, profile: StoreProfile) -> Solution:
    urls = profile.urls
    if category == "billing":
        return (f"Our payments team will check the charge; anything taken wrongly is refunded in full within "
                f"{profile.refund_processing_days} business days."), False
    if category == "account_login":
        return (f"You can set a new password at {urls['password_reset']}; the link in that e-mail works for 1 "
                f"hour. If that doesn't get you in, our team can unlock your account: {profile.support_email}."), False
    if category == "website_error":
        return ("Please try once more in a private window or another browser; that clears most checkout errors. "
                f"I've reported the problem, and you can also order by phone on {profile.support_phone}."), False
    if category == "staff_behaviour":
        return _person_follow_up("I'd like our team lead to hear what happened."), True
    if category in ORDER_CATEGORIES:
        return _person_follow_up("Without the order number I can't sort this out here, so I'd like a colleague to pick it up."), True
    return _person_follow_up("I'd like a colleague from our customer care team to look at this."), True


def resolve(category: str, severity: Collection[str], profile: StoreProfile, order: Optional[Order] = None,
            name: Optional[str] = None, today: Optional[date] = None) -> Resolution:
    """The apology and the solution for a confirmed complaint."""
    today = today or date.today()
    sorry = apology(category, severity, name)
    if URGENT_SEVERITIES & set(severity):
        return Resolution(sorry, _person_follow_up(), needs_person=True)
    if order is not None and category in ORDER_CATEGORIES:
        solution, needs_person = _order_solution(category, order, profile, today)
    else:
        solution, needs_person = _general_solution(category, profile)
    outside_policy = (order is not None and category in ("damaged_item", "wrong_item")
                      and not _within_refund_window(order, profile, today))
    return Resolution(sorry, solution, needs_person, outside_policy)
