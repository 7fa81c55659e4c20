#!/bin/sh
# Refresh careapp's translation sources, and compile the finished ones.
#
#   scripts/update_translations.sh            (run from anywhere; uses $CAREAPP_VENV or .venv)
#
# 1. pyside6-lupdate reads every tr() / QCoreApplication.translate("Context", "…") call in
#    careapp/ui and careapp/app.py and writes resources/translations/careapp_en.ts: the English
#    source strings, the list every translation starts from. Commit it.
# 2. Every other careapp_<lang>.ts there is brought up to date the same way (new strings are
#    added as "unfinished", removed ones marked obsolete), then compiled with pyside6-lrelease to
#    careapp_<lang>.qm, which careapp loads at start when the system language is <lang>.
#
# Adding a language (German as the example):
#   cp resources/translations/careapp_en.ts resources/translations/careapp_de.ts
#   In careapp_de.ts, set language="de" on the <TS> element, then translate: open it in Qt
#   Linguist ("$VENV/bin/pyside6-linguist" resources/translations/careapp_de.ts) or edit the
#   <translation> elements by hand (remove type="unfinished" from each one that is done).
#   Keep {placeholders} and the & of mnemonics (choose letters that do not clash in a menu).
#   Run this script again: it writes careapp_de.qm. Start careapp with LANGUAGE=de (or a German
#   desktop) to check it. Commit the .ts; the .qm is built from it (the packaging does the same).
set -eu

REPO="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${CAREAPP_VENV:-$REPO/.venv}"
if [ ! -x "$VENV/bin/pyside6-lupdate" ]; then
    echo "update_translations: no pyside6-lupdate in $VENV/bin; set CAREAPP_VENV to the virtualenv" >&2
    exit 1
fi
LUPDATE="$VENV/bin/pyside6-lupdate"
LRELEASE="$VENV/bin/pyside6-lrelease"
OUT="$REPO/resources/translations"

cd "$REPO"
mkdir -p "$OUT"
SOURCES="$(find careapp/ui -name '*.py' | sort) careapp/app.py"

# shellcheck disable=SC2086
"$LUPDATE" -no-obsolete -locations relative -source-language en -target-language en \
    $SOURCES -ts "$OUT/careapp_en.ts"

for ts in "$OUT"/careapp_*.ts; do
    [ "$ts" = "$OUT/careapp_en.ts" ] && continue
    # shellcheck disable=SC2086
    "$LUPDATE" -locations relative $SOURCES -ts "$ts"
    "$LRELEASE" "$ts" -qm "${ts%.ts}.qm"
done
