"""Hostile inputs, part of the corpus (corpus.py): seeded fuzz, for breadth (byte soup, unicode soup, mixed tricks,
mutated JSON documents)."""

import random
from typing import Any, Iterator, List

from tests.abuse.hostile_value import Hostile


def fuzz(rng: random.Random) -> Iterator[Hostile]:
    """Seeded fuzz, for breadth: byte soup, unicode soup, mutated JSON, mixed tricks."""
    for number in range(66):
        length = rng.choice([1, 7, 64, 513, 4096])
        yield Hostile(f"fuzz-bytes-{number:02d}", "fuzz-bytes", bytes(rng.getrandbits(8) for _ in range(length)))
    planes = [
        (0x20, 0x7E),
        (0xA0, 0x2FF),
        (0x300, 0x36F),
        (0x590, 0x6FF),
        (0x2000, 0x206F),
        (0x4E00, 0x4FFF),
        (0xD800, 0xDFFF),
        (0xE000, 0xF8FF),
        (0xFE00, 0xFFFF),
        (0x1F300, 0x1FAFF),
        (0xE0000, 0xE007F),
    ]
    for number in range(66):
        length = rng.choice([1, 10, 100, 1000])
        text = "".join(chr(rng.randint(*rng.choice(planes))) for _ in range(length))
        yield Hostile(f"fuzz-unicode-{number:02d}", "fuzz-unicode", text)
    tricks = [
        "<script>",
        "'",
        '"',
        "\x00",
        "../",
        "%00",
        "\u202e",
        "\u200b",
        "{{",
        "}}",
        "${",
        "OR 1=1",
        "104233",
        "@",
        ".",
        "(",
        "\\",
        "\n",
        "`",
        "&",
        "#",
        "javascript:",
        "<img onerror=1>",
        "  ",
    ]
    for number in range(66):
        text = "".join(rng.choice(tricks) for _ in range(rng.randint(1, 60)))
        yield Hostile(f"fuzz-mix-{number:02d}", "fuzz-mix", text)
    values: List[Any] = [None, True, 0, -1, 2**63, 1.5, float("nan"), "", "x", [], {}, [1, "a"], {"a": None}]
    for number in range(30):
        document = {
            rng.choice(
                [
                    "sender",
                    "message",
                    "metadata",
                    "input_channel",
                    "customData",
                    "session_id",
                    "x" * rng.randint(1, 300),
                ]
            ): rng.choice(values)
            for _ in range(rng.randint(0, 6))
        }
        yield Hostile(f"fuzz-json-{number:02d}", "fuzz-json", document)
