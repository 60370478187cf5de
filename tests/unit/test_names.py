import pytest

from customer_care.names import extract_name, first_name


@pytest.mark.parametrize(
    "text, name",
    [
        ("Sarah", "Sarah"),
        ("sarah", "Sarah"),
        ("I'm Tom", "Tom"),
        ("my name is Anne-Marie O'Neil", "Anne-Marie O'Neil"),
        ("hi, it's Jürgen.", "Jürgen"),
        ("call me Oluwaseun", "Oluwaseun"),
    ],
)
def test_extract_name(text, name):
    assert extract_name(text) == name


@pytest.mark.parametrize(
    "text",
    ["", "where is my order", "no", "yes please", "12345", "<b>x</b>", "a" * 60, "I want a refund now please ok"],
)
def test_things_that_are_not_names(text):
    assert extract_name(text) is None


def test_first_name():
    assert first_name("Sarah Becker") == "Sarah"
    assert first_name(None) is None
