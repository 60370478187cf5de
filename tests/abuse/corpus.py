"""Hostile inputs for the public endpoints, generated deterministically (a fixed seed, no clock, no network).

Each `Hostile` (hostile_value.py) is one value an attacker controls. The delivery code (barrage_http.py,
barrage_sockets.py, for test_hostile_inputs.py) puts it wherever a client can put something: a raw request body, a
JSON field, a form field, a query parameter, a URL path, a header, a socket.io payload. The inputs come by kind from
corpus_malformed.py, corpus_injection.py, corpus_tricks.py and corpus_fuzz.py.

    hostile_inputs()       # the corpus, in a stable order (508 inputs)
    pathological_attack()  # the few worst inputs for the latency test's attacker
"""

import random
from typing import Iterator, List

from tests.abuse.corpus_fuzz import fuzz
from tests.abuse.corpus_injection import injections
from tests.abuse.corpus_malformed import malformed_inputs
from tests.abuse.corpus_tricks import tricks
from tests.abuse.hostile_value import MB, Hostile

__all__ = ["MB", "SEED", "Hostile", "hostile_inputs", "pathological_attack"]

SEED = 14  # issue 14, "Safe in front of the public"


def _fixed() -> Iterator[Hostile]:
    yield from malformed_inputs()
    yield from injections()
    yield from tricks()


def hostile_inputs(seed: int = SEED) -> List[Hostile]:
    """The whole corpus: the same inputs, in the same order, on every run."""
    corpus = list(_fixed()) + list(fuzz(random.Random(seed)))
    names = [hostile.name for hostile in corpus]
    assert len(names) == len(set(names)), "hostile input names must be unique"
    return corpus


def pathological_attack() -> List[Hostile]:
    """The latency test's attacker: long digit runs, names of 10,000 spaces, 1 MB bodies."""
    return [
        Hostile("attack-digit-run", "regex", ("1234 5678 " * 2000)[:20_000]),
        Hostile("attack-spaces-name", "regex", " " * 10_000),
        Hostile("attack-1mb-body", "oversized", "x" * MB),
    ]
