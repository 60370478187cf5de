import pytest

from customer_care.masking import CARD_MASK, EMAIL_MASK, PHONE_MASK, mask_personal_data, passes_luhn


@pytest.mark.parametrize(
    "text, expected",
    [
        # cards: one block, printed groups, dashes, Amex/Diners layouts, next to an order number
        ("my card is 4111 1111 1111 1111 thanks", f"my card is {CARD_MASK} thanks"),
        ("4111-1111-1111-1111", CARD_MASK),
        ("charged 5555555555554444 twice", f"charged {CARD_MASK} twice"),
        ("amex 3782 822463 10005", f"amex {CARD_MASK}"),
        ("diners 3056 930902 5904", f"diners {CARD_MASK}"),
        ("19 digits 4111 1111 1111 1111 003", f"19 digits {CARD_MASK}"),
        ("order 104233 4111 1111 1111 1111", f"order 104233 {CARD_MASK}"),
        # e-mail addresses
        ("write to jane.doe+shop@example.co.uk!", f"write to {EMAIL_MASK}!"),
        ("J_Smith99@mail.example.com is mine", f"{EMAIL_MASK} is mine"),
        # phone numbers
        ("call +44 20 7946 0958 today", f"call {PHONE_MASK} today"),
        ("+44 (0)20 7946 0958", PHONE_MASK),
        ("+49 30 1234 5678", PHONE_MASK),
        ("+4915112345009", PHONE_MASK),  # its 13 digits pass the Luhn check, but the + makes it a phone
        ("0049 30 1234 5678", PHONE_MASK),
        ("+1 555 123 4567", PHONE_MASK),
        ("(555) 123-4567", PHONE_MASK),
        ("555-123-4567 or 555.123.4567", f"{PHONE_MASK} or {PHONE_MASK}"),
        ("1-800-555-0199", PHONE_MASK),
        ("my number 5551234567", f"my number {PHONE_MASK}"),
        ("mobile 07700 900123", f"mobile {PHONE_MASK}"),
        ("07700900123", PHONE_MASK),
        ("landline 020 7946 0958.", f"landline {PHONE_MASK}."),
        # everything at once, the order number kept
        (
            "Order 104233: card 4111111111111111, mail a@b.io, phone +44 7700 900123",
            f"Order 104233: card {CARD_MASK}, mail {EMAIL_MASK}, phone {PHONE_MASK}",
        ),
    ],
)
def test_masks_personal_data(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 104233",
        "#104233 never arrived",
        "order no. 104 233",
        "orders 104233 104587 and 109112",
        "it cost £1,299.99, not $45.00",
        "paid 1299.99 EUR",
        "bought it in 2023",
        "delivered on 2024-03-15",
        "on 15/03/2024 at 10:30",
        "on 15.03.2024",
        "on 05-06-2024 10:30",
        "delivery date 05062024",
        "104233 2024-03-15",
        "3 items for 19.99 each, 12 left",
        "4111 1111 1111 1112",  # the right shape, but fails the Luhn check: not a card number
        "tracking JD014600006281234561",
        "DPD parcel 01234567890123",
        "",
    ],
)
def test_keeps_order_numbers_prices_years_and_dates(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "digits, valid",
    [("4111111111111111", True), ("378282246310005", True), ("4111111111111112", False), ("104233", False)],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert passes_luhn(digits) is valid
