"""careapp's benchmarks: ``python -m bench`` (or ``bench/run.sh``); see bench/README.md."""
