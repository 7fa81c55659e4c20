# Shared by install.sh and run-tests.sh: system packages where missing, and the venv.
# Safe to run again: each step checks before it acts.

VENV="${CAREAPP_VENV:-.venv}"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Install the named Debian packages that are not installed yet (one apt-get update first).
ensure_debs() {
    missing=""
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $pkg"
        fi
    done
    if [ -n "$missing" ]; then
        echo "careapp: installing system packages:$missing"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        # shellcheck disable=SC2086
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    fi
}

# Qt's offscreen and xcb platforms need these shared libraries on a minimal Debian.
QT_DEBS="libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 libglib2.0-0 libdbus-1-3 libx11-6
fonts-dejavu-core libx11-xcb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xfixes0 libxcb-sync1 libxcb-shm0
libxcb-util1"

ensure_python() {
    if ! command -v python3 >/dev/null 2>&1; then
        ensure_debs python3
    fi
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        ensure_debs python3-venv
    fi
    python3 - <<'PY' || { echo "careapp needs Python 3.11 or newer" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY
}

# Create the venv once and install the package (with extras, e.g. "[test]") into it.
ensure_venv() {
    extras="$1"
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".$extras"
}
