import pytest

from customer_care.corrections import strip_leading_denial


@pytest.mark.parametrize(
    "text, correction",
    [
        ("no, the box was fine but the lamp is smashed", "the box was fine but the lamp is smashed"),
        ("Nope - it came late", "it came late"),
        ("not quite. The lid is cracked", "The lid is cracked"),
        ("that's not right, I was charged twice", "I was charged twice"),
        ("no", ""),
        ("nothing arrived at all", "nothing arrived at all"),
        ("notebook arrived torn", "notebook arrived torn"),
        ("", ""),
    ],
)
def test_strip_leading_denial(text, correction):
    assert strip_leading_denial(text) == correction
