#!/bin/sh
# Build the one-folder PyInstaller bundle and check that it starts on a fresh data folder.
# Usage: sh packaging/build_bundle.sh   (uses the venv from install.sh / run-tests.sh)
set -eu
cd "$(dirname "$0")/.."
VENV="${CAREAPP_VENV:-.venv}"
"$VENV/bin/python" -m pip install -q "pyinstaller>=6.10,<7"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath build/dist --workpath build/work packaging/careapp.spec
BUNDLE=build/dist/careapp/careapp
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT

echo "== bundle: --version"
"$BUNDLE" --version
echo "== bundle: headless command on a fresh data folder (migrations, phone metadata)"
"$BUNDLE" --data-dir "$DATA/cli" demo --customers 20 --seed 1
echo "== bundle: opens the main window offscreen and exits cleanly"
QT_QPA_PLATFORM=offscreen CAREAPP_SMOKE_TEST=1 timeout 120 "$BUNDLE" --data-dir "$DATA/gui"
test -s "$DATA/gui/careapp.db"
if find build/dist/careapp -name 'libqgtk3*' | grep -q .; then
    echo "bundle carries the GTK platform-theme plugin" >&2
    exit 1
fi
echo "bundle smoke test passed: $(du -sh build/dist/careapp | cut -f1)"
