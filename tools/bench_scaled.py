"""Benchmark the production profile (tools.scaled) with 1, 2 and 4 Rasa processes, side by side in one run.

For each number of Rasa processes: turns per second and p50/p99 latency through HAProxy's REST front end with 8
and 64 concurrent customers (the same customer script as `make bench`, each customer a new conversation from an
address of its own every few messages), and the CPU seconds each kind of process spent per turn. From those:
the scaling efficiency from 1 to 2 Rasa processes, and turns per CPU-second of the whole profile (the per-core
figure: what one core's worth of this machine serves, to multiply out for a bigger one).

    python -m tools.bench_scaled [--turns 512] [--instances 1 2 4] [--json results/bench_scaled.json]
"""

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import psutil

from customer_care.settings import PROJECT_ROOT
from tools.bench import SCRIPT, LoadResult, load_customers, load_rows, render, write_results
from tools.scaled import ScaledAssistant, ScaledSettings, start_scaled
from tools.scaled_services import require_packages
from tools.servers import DEFAULT_MODEL, client_addresses, consecutive_free_ports, free_port

CONCURRENCY_LEVELS = (8, 64)


@dataclass
class ProfileResult:
    rasa_instances: int
    loads: Dict[int, LoadResult]
    cpu_seconds_per_turn: Dict[int, Dict[str, float]] = field(default_factory=dict)  # concurrency -> kind -> s

    def cpu_per_turn(self, concurrency: int) -> float:
        return sum(self.cpu_seconds_per_turn[concurrency].values())


def _process_kind(name: str) -> str:
    """rasa1, rasa2 -> rasa; actions1 -> actions."""
    return name.rstrip("0123456789")


def _cpu_seconds(assistant: ScaledAssistant) -> Dict[str, float]:
    """CPU seconds (user + system) used so far by each kind of process of the profile, their children included
    (PostgreSQL's backends are the postmaster's children)."""
    pids: Dict[str, List[int]] = {}
    for name, process in assistant.processes.items():
        pids.setdefault(_process_kind(name), []).append(process.pid)
    for name, server in (("postgres", assistant.postgres), ("redis", assistant.redis)):
        pid = _server_pid(server)
        if pid is not None:
            pids[name] = [pid]
    totals: Dict[str, float] = {}
    for kind, roots in pids.items():
        seconds = 0.0
        for root in roots:
            try:
                parent = psutil.Process(root)
                for process in [parent, *parent.children(recursive=True)]:
                    times = process.cpu_times()
                    seconds += times.user + times.system
            except psutil.NoSuchProcess:
                continue
        totals[kind] = seconds
    return totals


def _server_pid(server: object) -> Optional[int]:
    process = getattr(server, "process", None)
    if process is not None:
        return int(process.pid)
    data = getattr(server, "data", None)
    if data is not None and (data / "postmaster.pid").exists():
        return int((data / "postmaster.pid").read_text().split()[0])
    return None


def measure(instances: int, turns: int, scratch: Path) -> ProfileResult:
    work = scratch / f"rasa{instances}"
    # The message rate per client address is the channels' default: each simulated customer has an address.
    settings = ScaledSettings(
        rasa_instances=instances,
        action_instances=2,
        rasa_port=free_port(),
        console_port=free_port(),
        nlu_port=free_port(),
        rasa_instance_port=consecutive_free_ports(instances),
        action_port=free_port(),
        postgres_port=free_port(),
        redis_port=free_port(),
        public_host="127.0.0.1",
        work_dir=work,
        postgres_dir=Path(tempfile.mkdtemp(prefix="larkspur-bench-postgres-")),
        model=DEFAULT_MODEL,
    )
    print(f"[{instances} Rasa] starting the profile...", flush=True)
    assistant = start_scaled(settings)
    try:
        result = ProfileResult(instances, {})
        addresses = client_addresses()
        url = f"{assistant.url}/webhooks/rest/webhook"
        for concurrency in CONCURRENCY_LEVELS:
            before = _cpu_seconds(assistant)
            load = asyncio.run(load_customers(url, concurrency, max(turns, concurrency * len(SCRIPT)), addresses))
            after = _cpu_seconds(assistant)
            result.loads[concurrency] = load
            result.cpu_seconds_per_turn[concurrency] = {
                kind: (after[kind] - before.get(kind, 0.0)) / max(1, load.turns) for kind in after
            }
            print(
                f"[{instances} Rasa] {concurrency} concurrent: {load.turns_per_second:.1f} turns/s, "
                f"p99 {load.percentile(0.99):.0f} ms, {load.errors} errors",
                flush=True,
            )
        return result
    finally:
        assistant.stop()
        shutil.rmtree(settings.postgres_dir or work, ignore_errors=True)


def table(results: Sequence[ProfileResult]) -> str:
    rows: List[Tuple[str, ...]] = [("Rasa processes", *[str(r.rasa_instances) for r in results])]
    for concurrency in CONCURRENCY_LEVELS:
        rows += load_rows(concurrency, [r.loads[concurrency] for r in results])
    busiest = CONCURRENCY_LEVELS[-1]
    kinds = sorted({kind for r in results for kind in r.cpu_seconds_per_turn[busiest]})
    for kind in kinds:
        per_turn = [f"{1000 * r.cpu_seconds_per_turn[busiest].get(kind, 0.0):.1f}" for r in results]
        rows.append((f"CPU ms per turn, {kind}", *per_turn))
    rows.append(("CPU ms per turn, all", *[f"{1000 * r.cpu_per_turn(busiest):.1f}" for r in results]))
    rows.append(("turns per CPU-second (per core)", *[f"{1 / r.cpu_per_turn(busiest):.1f}" for r in results]))
    return render(rows)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=512, help="measured turns per load (at least 1 script each)")
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--json", type=Path, default=PROJECT_ROOT / "results" / "bench_scaled.json")
    args = parser.parse_args(argv)
    require_packages()
    cores = os.cpu_count() or 1
    print(f"Machine: {cores} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM", flush=True)
    with tempfile.TemporaryDirectory(prefix="larkspur-bench-scaled-") as scratch:
        results = [measure(instances, args.turns, Path(scratch)) for instances in args.instances]
    print()
    print(f"Scaled profile on {cores} cores (REST through HAProxy, the {len(SCRIPT)}-message script of make bench)")
    print(table(results))
    busiest = CONCURRENCY_LEVELS[-1]
    by_instances = {r.rasa_instances: r for r in results}
    if 1 in by_instances and 2 in by_instances:
        efficiency = by_instances[2].loads[busiest].turns_per_second / by_instances[1].loads[busiest].turns_per_second
        print(f"\nScaling 1 -> 2 Rasa processes at {busiest} concurrent: {efficiency:.2f}x (ideal 2.00x)")
    document = {
        "cores": cores,
        "results": [
            {
                "rasa_instances": r.rasa_instances,
                "loads": {
                    c: {**load.summary(), "cpu_seconds_per_turn": r.cpu_seconds_per_turn[c]}
                    for c, load in r.loads.items()
                },
            }
            for r in results
        ],
    }
    write_results(args.json, document)
    return 0


if __name__ == "__main__":
    sys.exit(main())
