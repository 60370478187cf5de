"""What complaint analysis reads besides the paraphrase: severity signals (safety, legal, fraud, anger), whether
the complaint is specific yet, the remedy the customer wants, and the category enum.

All messages are made up for these tests, written the way customers write to an online shop.
"""

import pytest

from customer_care.complaints import IssueCategory, Severity, analyse_complaint


@pytest.mark.parametrize(
    "text, severity",
    [
        ("The charger overheated and started smoking, my son nearly got burnt", {Severity.SAFETY}),
        ("The face cream gave me an allergic reaction", {Severity.SAFETY}),
        ("I got an electric shock from the kettle", {Severity.SAFETY}),
        ("I cut myself on the broken glass in the box", {Severity.SAFETY}),
        ("the heater caught fire in my living room", {Severity.SAFETY}),
        ("I will be contacting my solicitor about this", {Severity.LEGAL}),
        ("If this isn't sorted I'm going to trading standards", {Severity.LEGAL}),
        ("I'll take you to the small claims court", {Severity.LEGAL}),
        ("I am going to sue you", {Severity.LEGAL}),
        ("The ombudsman will hear about this", {Severity.LEGAL}),
        ("Someone used my card to place an order without my permission", {Severity.FRAUD}),
        ("There is an unauthorised charge on my account", {Severity.FRAUD}),
        ("there's an unauthorized payment of £89", {Severity.FRAUD}),
        ("I didn't authorise this payment", {Severity.FRAUD}),
        ("This site is a scam", {Severity.FRAUD}),
        ("my card was stolen and used on your site", {Severity.FRAUD}),
        ("WORST COMPANY EVER, NEVER AGAIN", {Severity.ANGER}),
        ("Absolutely disgusting service, I'm furious", {Severity.ANGER}),
        ("I will never shop here again", {Severity.ANGER}),
        ("my parcel is late!!!", {Severity.ANGER}),
        ("WHERE IS MY PARCEL", {Severity.ANGER}),
        (
            "I didn't authorise this payment, I'm going to contact my bank and report you to trading standards",
            {Severity.FRAUD, Severity.LEGAL},
        ),
        ("The f***ing kettle caught fire and burnt my hand", {Severity.SAFETY, Severity.ANGER}),
        # calm complaints raise nothing, even with a word that sounds alarming elsewhere
        ("My parcel is late!", set()),
        ("The colour has faded after one wash", set()),
        ("My DPD and UPS parcels are both late", set()),
        ("My friend Sue recommended you but my order is late", set()),
        ("The phone charger doesn't charge", set()),
    ],
)
def test_severity_signals(text: str, severity: set) -> None:
    assert analyse_complaint(text).severity == frozenset(severity)


@pytest.mark.parametrize(
    "text, is_specific",
    [
        ("I want to make a complaint", False),
        ("I have a complaint", False),
        ("I'm not happy", False),
        ("this is terrible", False),
        ("Your service is absolutely appalling", False),
        ("I'm not happy with my order", False),
        ("I have a problem with my account", False),
        ("I want a refund", False),
        ("hello?", False),
        ("My order hasn't arrived", True),
        ("I was charged twice", True),
        ("The zip broke", True),
        ("my coffee machine makes a horrible grinding noise", True),
        ("I want to make a complaint. The lamp I bought flickers constantly.", True),
    ],
)
def test_vagueness(text: str, is_specific: bool) -> None:
    assert analyse_complaint(text).is_specific is is_specific


@pytest.mark.parametrize(
    "text, wants",
    [
        ("I want a refund", "a refund"),
        ("Can I get my money back?", "a refund"),
        ("I'd like a partial refund for the damaged one", "a partial refund"),
        ("Please send me a replacement", "a replacement"),
        ("I need a new one asap", "a replacement"),
        ("I don't want a refund, I want a replacement", "a replacement"),
        ("Could I exchange it for a bigger size?", "an exchange"),
        ("I want to cancel my order", "a cancellation"),
        ("call me back please", "a call back"),
        ("I got a replacement but that one is broken too", None),
        ("My refund hasn't arrived", None),
        ("The box was crushed", None),
    ],
)
def test_wanted_remedy(text: str, wants: object) -> None:
    assert analyse_complaint(text).wants == wants


def test_category_is_a_str_enum_with_a_label() -> None:
    assert IssueCategory.LATE_DELIVERY == "late_delivery"
    assert IssueCategory("refund_not_received") is IssueCategory.REFUND_NOT_RECEIVED
    assert IssueCategory.LATE_DELIVERY.label == "Late or lost delivery"
    assert len({category.label for category in IssueCategory}) == len(IssueCategory)
    assert Severity.FRAUD == "fraud"
