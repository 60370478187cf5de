"""Benchmark complaint analysis: analyses per second on one core, after warm-up.

Runs analyse_complaint over the complaint messages of tests/unit/test_paraphrase.py, repeated, in one process
pinned to one core, and reports throughput and per-call latency percentiles.

    python -m tools.bench_paraphrase [--calls 2000]
"""

import argparse
import os
import platform
import statistics
import sys
import time
from itertools import cycle, islice
from typing import List, Optional, Sequence

from customer_care.complaints import analyse_complaint
from tests.unit.test_paraphrase import PARAPHRASES

WARM_UP_CALLS = 200  # builds the pipeline and fills the typo cache, as a running server would have


def measure(messages: Sequence[str], calls: int) -> List[float]:
    """Seconds taken by each call, cycling through the messages."""
    timings = []
    for message in islice(cycle(messages), calls):
        started = time.perf_counter()
        analyse_complaint(message)
        timings.append(time.perf_counter() - started)
    return timings


def percentile_ms(timings: Sequence[float], fraction: float) -> float:
    ordered = sorted(timings)
    return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000, help="measured calls after warm-up")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):  # Linux: keep the process on one core for the whole run
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    messages = [text for text, _, _ in PARAPHRASES]
    started = time.perf_counter()
    analyse_complaint(messages[0])
    first_call = time.perf_counter() - started
    measure(messages, WARM_UP_CALLS)
    timings = measure(messages, args.calls)

    total = sum(timings)
    print(
        f"Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"Python {sys.version.split()[0]}; measured on one core"
    )
    print(f"First call (builds the spaCy pipeline): {first_call * 1000:.0f} ms")
    print(f"{args.calls} calls over {len(messages)} different complaints, after {WARM_UP_CALLS} warm-up calls")
    print(f"Throughput: {args.calls / total:.0f} paraphrases per second")
    print(
        f"Latency: mean {1000 * statistics.mean(timings):.2f} ms, p50 {percentile_ms(timings, 0.5):.2f} ms, "
        f"p99 {percentile_ms(timings, 0.99):.2f} ms, max {1000 * max(timings):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
