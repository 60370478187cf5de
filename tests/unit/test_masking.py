import pytest

from customer_care.masking import CARD_MASK, EMAIL_MASK, IBAN_MASK, PHONE_MASK, mask_personal_data, passes_luhn


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


# --- Cards with any separator, IBANs, spelled-out e-mail addresses (issue 14) --------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("card 4111.1111.1111.1111 please", f"card {CARD_MASK} please"),
        ("4111/1111/1111/1111", CARD_MASK),
        ("4111 1111 1111 1111", CARD_MASK),
        ("4111-1111-1111-1111.", f"{CARD_MASK}."),
        ("4111  1111  1111  1111", CARD_MASK),
        ("amex 3782.822463.10005", f"amex {CARD_MASK}"),
        ("my card is 4111.1111.1111.1111, expiry 12/27", f"my card is {CARD_MASK}, expiry 12/27"),
    ],
)
def test_masks_cards_with_any_separator(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("IBAN DE89 3704 0044 0532 0130 00 thanks", f"IBAN {IBAN_MASK} thanks"),
        ("GB82WEST12345698765432", IBAN_MASK),
        ("pay to gb82 west 1234 5698 7654 32.", f"pay to {IBAN_MASK}."),
        ("FR14 2004 1010 0505 0001 3M02 606 and NL91ABNA0417164300", f"{IBAN_MASK} and {IBAN_MASK}"),
        ("DE89-3704-0044-0532-0130-00", IBAN_MASK),
        ("DE89 3704 0044 0532 0130 00 GB82 WEST 1234 5698 7654 32", f"{IBAN_MASK} {IBAN_MASK}"),
    ],
)
def test_masks_ibans(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "DE89 3704 0044 0532 0130 01",  # one digit off: fails the mod-97 check
        "GB82WEST12345698765433",
        "XX82WEST12345698765432",  # no such country
        "tracking JD014600006281234561",
        "ref AB12CDEF3456GHIJ7890",
    ],
)
def test_keeps_iban_shaped_text_that_fails_the_checksum(text: str) -> None:
    masked = mask_personal_data(text)
    assert IBAN_MASK not in masked


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mail jane at example dot com please", f"mail {EMAIL_MASK} please"),
        ("jane(at)example(dot)com", EMAIL_MASK),
        ("jane [at] example [dot] com", EMAIL_MASK),
        ("Jane.Doe AT Example DOT co DOT uk!", f"{EMAIL_MASK}!"),
        ("jane (at) example (dot) com", EMAIL_MASK),
        ("jane{at}example{dot}com", EMAIL_MASK),
        ("jane@example dot com", EMAIL_MASK),
        ("jane(at)example.com", EMAIL_MASK),
        ("reach me at jane at gmail.com", f"reach me at {EMAIL_MASK}"),
    ],
)
def test_masks_spelled_out_email_addresses(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I ordered it at larkspur.com last week",  # a shop's site, not an address
        "it arrived at 10.30 at the depot",
        "look at the dot on the screen",
        "we met at noon",
    ],
)
def test_keeps_at_and_dot_in_ordinary_sentences(text: str) -> None:
    assert mask_personal_data(text) == text


def test_the_luhn_check_takes_only_digits() -> None:
    assert passes_luhn("4111 1111 1111 1111") is False and passes_luhn("") is False and passes_luhn("abc") is False


def test_phones_next_to_other_numbers_are_still_masked() -> None:
    assert mask_personal_data("+44 20 7946 0958 104233") == f"{PHONE_MASK} 104233"
    assert mask_personal_data("+44 20 7946 0958 and 0049 30 1234 5678") == f"{PHONE_MASK} and {PHONE_MASK}"
    assert mask_personal_data("020 7946 0958 01234 567890") == f"{PHONE_MASK} {PHONE_MASK}"
    assert mask_personal_data("+44 1234 5678 4111111111111111") == f"{PHONE_MASK} {CARD_MASK}"
