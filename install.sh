#!/bin/sh
# Set up careapp on this machine (system libraries, a venv in .venv, the package) and start it
# on its embedded SQLite database. Arguments are passed to careapp (e.g. --data-dir DIR).
set -eu
cd "$(dirname "$0")"
. scripts/lib.sh
ensure_python
# shellcheck disable=SC2086
ensure_debs $QT_DEBS
ensure_venv ""
exec "$VENV/bin/careapp" "$@"
