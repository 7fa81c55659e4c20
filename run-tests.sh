#!/bin/sh
# Set up everything the tests need (system libraries, Xvfb, the venv with test extras) and run
# the whole suite: lint, types, then pytest. Extra arguments go to pytest.
set -eu
cd "$(dirname "$0")"
. scripts/lib.sh
ensure_python
# postgresql: the service tests also run on a real PostgreSQL server they start on loopback.
# shellcheck disable=SC2086
ensure_debs $QT_DEBS xvfb xauth desktop-file-utils appstream gnome-keyring dbus dbus-bin libsecret-tools openssl postgresql
ensure_venv "[test]"
export QT_QPA_PLATFORM=offscreen
# Tests must never touch a real user keyring or data folder.
export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
unset CAREAPP_DATA_DIR CAREAPP_DATABASE_URL || true
echo "== ruff"
"$VENV/bin/ruff" check .
echo "== mypy"
"$VENV/bin/mypy" careapp
echo "== import-linter (the layers: ARCHITECTURE.md)"
"$VENV/bin/lint-imports"
echo "== pytest"
"$VENV/bin/python" -m pytest "$@"
# CI (or CAREAPP_BUNDLE=1) also builds the PyInstaller bundle and starts it offscreen.
if [ "${CI:-}" = "true" ] || [ "${CAREAPP_BUNDLE:-}" = "1" ]; then
    echo "== bundle"
    ensure_debs binutils
    CAREAPP_VENV="$VENV" sh packaging/build_bundle.sh
fi
