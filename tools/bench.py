"""Benchmark the assistant against a stock `rasa init` bot, side by side in one run on this machine.

For each bot: training time (from scratch), server start-up time until the model is loaded, turns per second
and p50/p99 latency through the REST channel with 1 and 8 concurrent conversations, p50/p99 latency of parsing
alone (Rasa's HTTP API `/model/parse`, one message at a time, which for ours goes through the NLU worker as every
turn does), and the servers' peak memory (resident set, sampled every 50 ms). Both bots get the same customer
messages.

    python -m tools.bench [--turns 240] [--json results/bench.json]
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import aiohttp
import psutil

from customer_care.settings import PROJECT_ROOT
from tools.servers import VENV_BIN, RunningAssistant, client_addresses, start_assistant

# One customer's conversation; each simulated customer repeats it with its own sender id.
SCRIPT = [
    "hi there",
    "what delivery options do you have?",
    "where is my order 109112",
    "12059",  # the order's postcode: an anonymous customer proves the order
    "how long do I have to return something?",
    "what's the weather in Lisbon?",
    "do you take paypal",
    "thanks, bye",
]
CONCURRENCY_LEVELS = (1, 8)


@dataclass
class LoadResult:
    concurrency: int
    turns: int
    seconds: float
    latencies_ms: List[float] = field(repr=False)
    errors: int

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")

    def summary(self) -> Dict[str, float]:
        """The figures of the JSON results."""
        return {
            "turns": self.turns,
            "seconds": self.seconds,
            "turns_per_second": self.turns_per_second,
            "p50_ms": self.percentile(0.5),
            "p99_ms": self.percentile(0.99),
            "errors": self.errors,
        }


@dataclass
class BotResult:
    name: str
    train_seconds: float
    startup_seconds: float
    peak_memory_mb: float
    loads: Dict[int, LoadResult]
    parse: LoadResult


class MemorySampler:
    """Peak resident memory of some processes and their children, sampled in a thread."""

    def __init__(self, pids: Sequence[int], interval: float = 0.05) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        for process in self.processes:
            try:
                for member in [process] + process.children(recursive=True):
                    total += member.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._sample())
            time.sleep(self.interval)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


async def _customer(url: str, turns: int, latencies: List[float], addresses: Iterator[str]) -> int:
    """One simulated customer: the script again and again, each time as a new conversation (a new sender, from
    an address of its own, as a new customer comes), so conversations stay as long as real ones instead of
    growing for the whole run."""
    errors = 0
    session: Optional[aiohttp.ClientSession] = None
    try:
        for turn in range(turns):
            if turn % len(SCRIPT) == 0:
                sender = f"bench-{uuid.uuid4().hex[:12]}"
                if session is not None:
                    await session.close()
                session = aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=120),
                    connector=aiohttp.TCPConnector(local_addr=(next(addresses), 0)),
                )
            assert session is not None  # made on the first turn
            began = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": SCRIPT[turn % len(SCRIPT)]}) as response:
                await response.read()
                if response.status != 200:
                    errors += 1
            latencies.append((time.perf_counter() - began) * 1000)
    finally:
        if session is not None:
            await session.close()
    return errors


async def load_customers(url: str, concurrency: int, total_turns: int, addresses: Iterator[str]) -> LoadResult:
    """`addresses` is shared by every load of the run: an address used again would find its message allowance
    (connectors.limits) spent by an earlier customer, and its turns refused with a 429."""
    latencies: List[float] = []
    per_customer = max(1, total_turns // concurrency)
    await _customer(url, len(SCRIPT), [], addresses)  # warm-up, not measured
    began = time.perf_counter()
    errors = await asyncio.gather(*(_customer(url, per_customer, latencies, addresses) for _ in range(concurrency)))
    seconds = time.perf_counter() - began
    return LoadResult(concurrency, len(latencies), seconds, latencies, sum(errors))


async def _parse_one_at_a_time(rasa_url: str, token: str, total: int) -> LoadResult:
    latencies: List[float] = []
    errors = 0
    url = f"{rasa_url}/model/parse?token={token}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for warm_up in SCRIPT:
            async with session.post(url, json={"text": warm_up}) as response:
                await response.read()
        began = time.perf_counter()
        for index in range(total):
            sent = time.perf_counter()
            async with session.post(url, json={"text": SCRIPT[index % len(SCRIPT)]}) as response:
                await response.read()
                errors += response.status != 200
            latencies.append((time.perf_counter() - sent) * 1000)
        seconds = time.perf_counter() - began
    return LoadResult(1, len(latencies), seconds, latencies, errors)


def _timed(command: Sequence[str], cwd: Path) -> float:
    began = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def measure(
    name: str, project: Path, train: Sequence[str], model: Path, turns: int, work_dir: Path, stock: bool
) -> BotResult:
    """Train `project`, start its servers and load them. Our assistant runs as `make run` runs it; the stock bot
    as `rasa init` leaves it (no action server, no NLU worker, Rasa's own SQL tracker store)."""
    print(f"[{name}] training...", flush=True)
    train_seconds = _timed(train, project)
    print(f"[{name}] trained in {train_seconds:.0f} s; starting servers...", flush=True)
    running: RunningAssistant = (
        start_assistant(
            model, work_dir, project_dir=project, with_actions=False, tracker_store_type="SQL", nlu_worker=False
        )
        if stock
        else start_assistant(model, work_dir, project_dir=project)
    )
    try:
        loads = {}
        addresses = client_addresses()
        with MemorySampler(list(running.server_pids().values())) as memory:
            for concurrency in CONCURRENCY_LEVELS:
                loads[concurrency] = asyncio.run(load_customers(running.rest_webhook, concurrency, turns, addresses))
                print(
                    f"[{name}] {concurrency} concurrent: {loads[concurrency].turns_per_second:.1f} turns/s", flush=True
                )
            parse = asyncio.run(_parse_one_at_a_time(running.rasa_url, running.api_token, turns))
            print(f"[{name}] parse p99: {parse.percentile(0.99):.0f} ms", flush=True)
        return BotResult(name, train_seconds, running.started_in_seconds, memory.peak_bytes / 2**20, loads, parse)
    finally:
        running.stop()


def stock_project(parent: Path) -> Path:
    """The project `rasa init` scaffolds (copied from Rasa's own template, so it isn't trained twice)."""
    import rasa.cli

    project = parent / "stock"
    shutil.copytree(Path(rasa.cli.__file__).parent / "initial_project", project)
    return project


def load_rows(concurrency: int, loads: Sequence[LoadResult]) -> List[Tuple[str, ...]]:
    """Table rows of one concurrency level: turns/s, p50 and p99 latency, errors, one column per load."""
    return [
        (f"turns/s, {concurrency} concurrent", *[f"{load.turns_per_second:.1f}" for load in loads]),
        (f"p50 latency ms, {concurrency} conc.", *[f"{load.percentile(0.5):.0f}" for load in loads]),
        (f"p99 latency ms, {concurrency} conc.", *[f"{load.percentile(0.99):.0f}" for load in loads]),
        (f"errors, {concurrency} concurrent", *[str(load.errors) for load in loads]),
    ]


def render(rows: Sequence[Tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)


def table(results: Sequence[BotResult]) -> str:
    rows: List[Tuple[str, ...]] = [("", *[r.name for r in results])]
    rows.append(("training time (s)", *[f"{r.train_seconds:.0f}" for r in results]))
    rows.append(("start-up until ready (s)", *[f"{r.startup_seconds:.1f}" for r in results]))
    for concurrency in CONCURRENCY_LEVELS:
        rows += load_rows(concurrency, [r.loads[concurrency] for r in results])
    rows.append(("parse p50 latency ms, 1 at a time", *[f"{r.parse.percentile(0.5):.0f}" for r in results]))
    rows.append(("parse p99 latency ms, 1 at a time", *[f"{r.parse.percentile(0.99):.0f}" for r in results]))
    rows.append(("peak memory, all servers (MiB)", *[f"{r.peak_memory_mb:.0f}" for r in results]))
    if len(results) == 2:
        ours, stock = results
        ratio = ours.loads[8].turns_per_second / stock.loads[8].turns_per_second
        rows.append(("turns/s ratio at 8 concurrent", f"{ratio:.2f}x", "1.00x"))
    return render(rows)


def write_results(path: Path, document: Dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1))
    print(f"\n(written to {path})")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=280, help="measured turns per concurrency level")
    parser.add_argument("--json", type=Path, default=PROJECT_ROOT / "results" / "bench.json")
    args = parser.parse_args(argv)

    cores = os.cpu_count()
    memory_gib = psutil.virtual_memory().total / 2**30
    print(f"Machine: {cores} cores, {memory_gib:.0f} GiB RAM, Python {sys.version.split()[0]}", flush=True)
    rasa = str(VENV_BIN / "rasa")
    with tempfile.TemporaryDirectory(prefix="larkspur-bench-") as scratch:
        scratch_dir = Path(scratch)
        ours_model_dir = scratch_dir / "ours-models"
        ours = measure(
            "larkspur",
            PROJECT_ROOT,
            [rasa, "train", "--force", "--fixed-model-name", "bench", "--out", str(ours_model_dir)],
            ours_model_dir / "bench.tar.gz",
            args.turns,
            scratch_dir / "ours",
            stock=False,
        )
        project = stock_project(scratch_dir)
        stock = measure(
            "stock rasa init",
            project,
            [rasa, "train", "--fixed-model-name", "stock", "--out", str(project / "models")],
            project / "models" / "stock.tar.gz",
            args.turns,
            scratch_dir / "stock-run",
            stock=True,
        )
    results = [ours, stock]
    print()
    print(f"Benchmark on {cores} cores (REST channel, same {len(SCRIPT)}-message customer script for both bots)")
    print(table(results))
    document = {
        "cores": cores,
        "memory_gib": round(memory_gib, 1),
        "results": [
            {
                **{k: v for k, v in asdict(r).items() if k not in ("loads", "parse")},
                "parse": {
                    "p50_ms": r.parse.percentile(0.5),
                    "p99_ms": r.parse.percentile(0.99),
                    "errors": r.parse.errors,
                },
                "loads": {c: load.summary() for c, load in r.loads.items()},
            }
            for r in results
        ],
    }
    write_results(args.json, document)
    return 0


if __name__ == "__main__":
    sys.exit(main())
