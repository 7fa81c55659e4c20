#!/bin/sh
# Run the benchmarks with the project's venv (made by ./run-tests.sh or ./install.sh); see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
exec "${CAREAPP_VENV:-.venv}/bin/python" -m bench "$@"
