"""Benchmark what gathering a warm runner's heap into huge pages saves each fork.

In one process warmed like a runner (every preloaded module imported, the app run once), forks a
child per run, first with the heap in small pages, then after `huge_pages.collapse_heap()`:

* a bare fork and exit (the child exits at once);
* a fork whose child imports the app and sends it 3 requests, as a sandbox's run does (no
  isolation: only the memory's share of the cost is measured here).

CPU per run is the parent's (the fork) plus the child's (its run and exit). Prints a table, then
one JSON object on the last line.

    python bench/huge_pages.py [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
from pathlib import Path

import _throughput
from rich.console import Console
from rich.table import Table

from deepdive.sandbox import huge_pages, instruments, preload
from sandbox import APP


def _per_fork(runs: int, child) -> tuple[float, float]:
    """(parent ms, child ms) of CPU per fork."""
    before = os.times()
    for _ in range(runs):
        pid = os.fork()
        if pid == 0:
            try:
                child()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    after = os.times()
    parent = after.user - before.user + after.system - before.system
    children = (
        after.children_user - before.children_user + after.children_system - before.children_system
    )
    return round(parent * 1000 / runs, 2), round(children * 1000 / runs, 2)


def _huge_kib() -> int:
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="forks per measurement")
    args = parser.parse_args()
    preload.preload()
    instruments.load_all()
    asyncio.run(_throughput._one_run(_throughput._warm_parent(APP, Path(tempfile.mkdtemp()))))
    gc.collect()
    gc.freeze()

    def app_run() -> None:
        asyncio.run(_throughput._one_run(_throughput._fresh_app(APP)))

    def measure() -> dict[str, tuple[float, float]]:
        return {
            "bare": _per_fork(args.runs, lambda: None),
            "app": _per_fork(args.runs, app_run),
        }

    small = measure()
    collapsed = huge_pages.collapse_heap()
    huge_kib = _huge_kib()
    huge = measure()

    table = Table(title="CPU per fork (ms): the parent's fork, the child's run and exit")
    for column in ("the child", "heap", "fork", "run and exit", "total"):
        table.add_column(column, justify="left" if column in ("the child", "heap") else "right")
    for kind, label in (("bare", "exits at once"), ("app", "imports the app, 3 requests")):
        for heap, figures in (("small pages", small), ("huge pages", huge)):
            fork, child = figures[kind]
            table.add_row(label, heap, str(fork), str(child), f"{fork + child:.2f}")
    console = Console(width=120)
    console.print(table)
    console.print(f"Collapsed {collapsed >> 20} MiB; AnonHugePages now {huge_kib >> 10} MiB")

    def total(figures: dict[str, tuple[float, float]], kind: str) -> float:
        return round(sum(figures[kind]), 2)

    print(
        json.dumps(
            {
                "runs": args.runs,
                "collapsed_mib": collapsed >> 20,
                "bare_fork_exit_ms_small": total(small, "bare"),
                "bare_fork_exit_ms_huge": total(huge, "bare"),
                "bare_ratio": round(total(huge, "bare") / total(small, "bare"), 2),
                "app_run_ms_small": total(small, "app"),
                "app_run_ms_huge": total(huge, "app"),
                "app_ratio": round(total(huge, "app") / total(small, "app"), 2),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
