"""Answers to the shop's common questions, each built from the store profile so the facts live in one place."""

from typing import Callable, Dict

from customer_care.profile import StoreProfile, join_words


NOT_UNDERSTOOD = "Sorry, I didn't quite understand that. Could you say it in other words?"
OUT_OF_SCOPE = "I'm afraid that's not something I can help with: I only know about our shop."


def _hours(p: StoreProfile) -> str:
    return f"{p.describe_opening_hours()} ({p.timezone} time)"


def _shipping_list(p: StoreProfile) -> str:
    return "; ".join(
        f"{o.name}: {p.money(o.price)}, {o.min_days}-{o.max_days} business days" for o in p.shipping_options
    )


def _fastest(p: StoreProfile) -> str:
    option = min(p.shipping_options, key=lambda o: o.max_days)
    return f"{option.name} ({option.min_days}-{option.max_days} business days, {p.money(option.price)})"


def change_order(p: StoreProfile) -> str:
    return (
        "As long as an order hasn't been dispatched we can still change it. The quickest way is to cancel it "
        f"free of charge and place a new one with the items you want; you can see each order's status in "
        f"{p.url('orders')}. Orders placed before {p.dispatch_cutoff:%H:%M} on a business day usually ship "
        "the same day, so it's best to be quick. If it has shipped already, you can return the items within "
        f"{p.refund_window_days} days and order the right ones."
    )


def check_cancellation_fee(p: StoreProfile) -> str:
    free = "Cancelling is free until your order leaves our warehouse. " if p.free_cancellation_before_dispatch else ""
    return (
        f"{free}Once it has shipped, it becomes a return and we deduct {p.money(p.cancellation_fee_after_dispatch)} "
        f"for return shipping. Personalised items carry a {p.custom_items_fee_percent}% fee once production "
        "has started."
    )


def check_invoice(p: StoreProfile) -> str:
    return (
        f"All your invoices are in your account under {p.url('invoices')}, with the items, VAT and amount "
        "paid for each order. If an amount looks wrong, tell me the order number and what doesn't match, "
        f"or write to {p.support_email}."
    )


def get_invoice(p: StoreProfile) -> str:
    return (
        "Every invoice is sent as a PDF with the shipping confirmation. You can download it any time from "
        f"{p.url('invoices')}. Need one with a company name or VAT ID? Add them in {p.url('settings')} and "
        f"download it again, or ask {p.support_email} to reissue it."
    )


def check_payment_methods(p: StoreProfile) -> str:
    return (
        f"We accept {join_words(list(p.payment_methods))}. Orders over {p.money(p.instalments_from)} can also "
        "be paid in instalments with Klarna."
    )


def payment_issue(p: StoreProfile) -> str:
    return (
        "Sorry your payment didn't go through. Most failures come from the bank's security check: please "
        "confirm the payment in your banking app, check the card's expiry date and billing address, or try "
        f"another method ({join_words(list(p.payment_methods[:4]), 'or')}). If you were charged but got no "
        "order confirmation, the reservation is released by your bank within 5 business days; "
        f"{p.support_email} can check it for you."
    )


def check_refund_policy(p: StoreProfile) -> str:
    return (
        f"You can return items within {p.refund_window_days} days of delivery for a full refund if they are "
        f"{p.refund_conditions}. Not refundable: {p.non_refundable}. We refund to your original payment "
        f"method within {p.refund_processing_days} business days after the return arrives."
    )


def get_refund(p: StoreProfile) -> str:
    return (
        f"You can get your money back for items returned within {p.refund_window_days} days of delivery. "
        f"Start the return in {p.url('orders')}, print the free label and drop off the parcel; we refund to "
        f"your original payment method within {p.refund_processing_days} business days after it arrives. "
        "If you've already sent it back, tell me the order number and I'll check the refund."
    )


def contact_customer_service(p: StoreProfile) -> str:
    return (
        f"Our customer service team is there {_hours(p)}. Phone: {p.support_phone}. E-mail: "
        f"{p.support_email} (we reply within {p.reply_within_hours} hours). And I'm here around the clock."
    )


def contact_human_agent(p: StoreProfile) -> str:
    return (
        f"Of course. Our team answers the phone on {p.support_phone}, {_hours(p)}, and e-mails to "
        f"{p.support_email} within {p.reply_within_hours} hours."
    )


def create_account(p: StoreProfile) -> str:
    return (
        f"You can create an account in a minute at {p.url('signup')}: enter your name, e-mail and a password, "
        "then click the link in the confirmation e-mail. With an account you can track orders, download "
        "invoices and save addresses."
    )


def delete_account(p: StoreProfile) -> str:
    return (
        f"You can close your account under {p.url('settings')} > 'Delete account'. We then erase your "
        "personal data, except invoices we must keep by law. Open orders and returns are finished first. "
        f"If you prefer, write to {p.support_email} from the account's e-mail address."
    )


def edit_account(p: StoreProfile) -> str:
    return (
        f"You can change your name, e-mail address, phone number and password in {p.url('settings')}. A new "
        "e-mail address becomes active once you click the link we send to it."
    )


def switch_account(p: StoreProfile) -> str:
    plans = "; ".join(
        f"{plan.name}: {'free' if not plan.price else p.money(plan.price) + ' per ' + plan.per} ({plan.perks})"
        for plan in p.plans
    )
    return f"You can switch your account type any time in {p.url('settings')} > 'Plan'. The options: {plans}."


def delivery_options(p: StoreProfile) -> str:
    return (
        f"We offer {_shipping_list(p)}. Standard shipping is free on orders from {p.money(p.free_shipping_from)}."
    )


def delivery_period(p: StoreProfile) -> str:
    standard = p.shipping_options[0]
    return (
        f"Orders placed before {p.dispatch_cutoff:%H:%M} on a business day leave our warehouse the same day. "
        f"{standard.name} delivery then takes {standard.min_days}-{standard.max_days} business days; the "
        f"fastest is {_fastest(p)}."
    )


def set_up_shipping_address(p: StoreProfile) -> str:
    return (
        f"You can save as many shipping addresses as you like in {p.url('addresses')} and mark one as the "
        "default. At checkout you pick which one an order goes to."
    )


def newsletter_subscription(p: StoreProfile) -> str:
    return (
        f"You can subscribe to or unsubscribe from our newsletter in {p.url('newsletter')}, or with the link "
        "at the bottom of any newsletter. Changes take effect straight away."
    )


def place_order(p: StoreProfile) -> str:
    return (
        f"Find what you like on {p.website}, add it to your basket and check out; you can order as a guest "
        f"or with an account. We accept {join_words(list(p.payment_methods))}, and standard "
        f"shipping is free from {p.money(p.free_shipping_from)}."
    )


def recover_password(p: StoreProfile) -> str:
    return (
        f"No problem: go to {p.url('password_reset')}, enter your account's e-mail address and we'll send a "
        "reset link that works for 1 hour. Check your spam folder if it doesn't arrive within a few minutes."
    )


def registration_problems(p: StoreProfile) -> str:
    return (
        "Sorry signing up is giving you trouble. The usual causes: the confirmation e-mail landed in spam "
        "(it can take a few minutes), the address already has an account (then reset the password at "
        f"{p.url('password_reset')}), or the password is shorter than 8 characters. If it still fails, "
        f"write to {p.support_email} with the error message and we'll set it up for you."
    )


def review(p: StoreProfile) -> str:
    return (
        f"Thank you for wanting to share your opinion! You can review products you bought under "
        f"{p.url('reviews')} or on each product page. Feedback about {p.shop_name} itself is welcome at "
        f"{p.support_email}."
    )


SHOP_ANSWERS: Dict[str, Callable[[StoreProfile], str]] = {
    function.__name__: function
    for function in (
        change_order, check_cancellation_fee, check_invoice,
        check_payment_methods, check_refund_policy, contact_customer_service, contact_human_agent,
        create_account, delete_account, delivery_options, delivery_period, edit_account, get_invoice,
        get_refund, newsletter_subscription, payment_issue, place_order, recover_password,
        registration_problems, review, set_up_shipping_address, switch_account,
    )
}


def answer_for(intent: str, profile: StoreProfile) -> str:
    """The answer to a shop question; NOT_UNDERSTOOD for intents that have no answer of this kind."""
    answer = SHOP_ANSWERS.get(intent)
    return answer(profile) if answer else NOT_UNDERSTOOD
