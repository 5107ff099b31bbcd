"""Run every benchmark and print one table (``python -m benchmarks``; ``--quick`` for a
smoke run). Each benchmark is also a module of its own: ``python -m benchmarks.intake``."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from benchmarks import (
    chaser_scaling,
    intake,
    memory,
    outbound,
    routing,
    similar,
    startup,
    turns,
    weekly_report,
)
from benchmarks.common import Figure, arguments, chosen_backends, machine, table

BENCHMARKS: dict[str, Callable[[bool, list[str]], list[Figure]]] = {
    "intake": intake.run,
    "turns": turns.run,
    "chaser": chaser_scaling.run,
    "weekly": weekly_report.run,
    "outbound": outbound.run,
    "memory": memory.run,
    "routing": routing.run,
    "similar": similar.run,
    "startup": startup.run,
}


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help=f"comma-separated: {','.join(BENCHMARKS)}"
    )
    options = parser.parse_args()
    backends = chosen_backends(options.backends)
    facts = machine()
    print(f"# Dianxiaoer desk benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"# {facts['cpus']} CPUs ({facts['cpu']}), {facts['memory']} RAM, "
        f"Python {facts['python']}, SQLite {facts['sqlite']}, PostgreSQL {facts['postgres']}"
    )
    figures: list[Figure] = []
    for name in options.only.split(","):
        started = time.monotonic()
        try:
            found = BENCHMARKS[name.strip()](options.quick, backends)
        except Exception as error:  # one failing benchmark must not lose the others' figures
            print(f"# {name}: FAILED after {time.monotonic() - started:.0f} s: {error!r}")
            continue
        # Printed as soon as known: a full run takes the better part of an hour.
        print(f"# {name}: done in {time.monotonic() - started:.0f} s\n{table(found)}", flush=True)
        figures += found
    print(f"# all\n{table(figures)}")
    missed = [f for f in figures if f.met is False]
    if missed:
        print(f"# {len(missed)} figure(s) missed their target")


if __name__ == "__main__":
    main()
