"""``python -m benchmarks``: every benchmark, one table."""

from benchmarks.run_all import main

main()
