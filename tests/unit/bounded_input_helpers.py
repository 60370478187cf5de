"""Shared by the bounded-work tests (test_bounded_*.py, issue 14): the arbitrary customer text they feed to every
function that reads it, and the time each call may take.

The property tests give each function arbitrary text (huge, binary-ish, unicode, emoji, runs of digits,
separators and whitespace) and check that it never raises and that each call stays within BUDGET_SECONDS. The
regression tests replay the inputs that took seconds before the fix, and check that the answer is still right.
"""

import time
from typing import Any, Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

BUDGET_SECONDS = 0.5  # per call, for any input, on 2 cores shared with other work
HYPOTHESIS_DEADLINE_MS = 3_000  # per example (a few calls); hypothesis' own guard against a hang

# Pieces that made the old rules backtrack, repeated into long runs: digit runs with every separator, dialling
# prefixes, half e-mail addresses (real and spelled out), whitespace of several kinds, swear-word stems and
# masked swear words, punctuation runs, markup, emoji, control characters.
PIECES = [
    "1",
    "0",
    "00",
    "+1",
    "+44 ",
    "1 ",
    "12-",
    "01 ",
    "4111",
    "4111.",
    "1/",
    "(0)",
    "(555) ",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\u1680",
    "\u00a0",
    "-",
    ".",
    "/",
    "a",
    "a.",
    "a-",
    "-a",
    "a@",
    "@",
    "jane",
    " at ",
    " dot ",
    "[at]",
    "(dot)",
    " [dot] ",
    "gmail",
    ".com",
    "DE89",
    "GB82",
    "WEST",
    "f",
    "k",
    "fuc",
    "sh!t",
    "*",
    "a***",
    "$",
    "!",
    "?",
    "!?",
    ",",
    " ,",
    "<script ",
    "<b>",
    "http://",
    "www.",
    "#",
    "I ",
    "you ",
    "my ",
    "not ",
    "here",
    " here",
    "again ",
    "no ",
    "call me ",
    "hi ",
    "😀",
    "🇬🇧",
    "\u200b",
    "\x00",
    "\x1b",
    "\ufffd",
    "é",
    "İ",
    "ß",
    "ǅ",
    "日本",
]
repeated_runs = st.lists(
    st.tuples(
        st.sampled_from(PIECES),
        st.one_of(st.integers(min_value=1, max_value=50), st.integers(min_value=500, max_value=3_000)),
    ),
    min_size=1,
    max_size=4,
).map(lambda parts: "".join(piece * count for piece, count in parts))
binaryish = st.binary(max_size=3_000).map(lambda data: data.decode("utf-8", errors="surrogateescape"))
customer_text = st.one_of(
    st.text(max_size=400),  # any unicode, short
    st.lists(st.sampled_from(PIECES), max_size=200).map("".join),  # the pieces mixed
    repeated_runs,  # long runs, up to ~50,000 characters: past every cap
    binaryish,  # undecodable bytes as lone surrogates
    st.builds(lambda head, run, tail: head + run + tail, st.text(max_size=40), repeated_runs, st.text(max_size=40)),
)
# Derandomised: the same examples on every run, so a shared test run never fails by the luck of the draw.
FAST = settings(
    max_examples=150,
    deadline=HYPOTHESIS_DEADLINE_MS,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SLOW = settings(
    max_examples=50,
    deadline=HYPOTHESIS_DEADLINE_MS,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def timed(function: Callable[..., Any], *args: Any, budget: float = BUDGET_SECONDS) -> Any:
    """`function(*args)`, failing when the call takes longer than `budget` seconds."""
    started = time.perf_counter()
    result = function(*args)
    elapsed = time.perf_counter() - started
    size = len(args[0]) if args and hasattr(args[0], "__len__") else "?"
    assert elapsed < budget, f"{getattr(function, '__name__', function)} took {elapsed:.2f} s on {size} characters"
    return result


def best_time(function: Callable[[], Any], repeat: int = 3) -> float:
    """The fastest of `repeat` runs: the other people's work on the machine only ever adds time."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)
