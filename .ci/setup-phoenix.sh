#!/usr/bin/env bash
# Creates the Phoenix server's own virtual environment for the store tests.
# The server pins anthropic<2, so it cannot share traceclio's .venv (see NOTES.md).
# Idempotent: a venv that already has the pinned version is left alone.
set -euo pipefail

PHOENIX_VERSION="20.26.1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-phoenix"

if [ -x "$VENV/bin/phoenix" ] && "$VENV/bin/python" -c "
import importlib.metadata as m, sys
sys.exit(0 if m.version('arize-phoenix') == '$PHOENIX_VERSION' else 1)" 2>/dev/null; then
    echo "Phoenix $PHOENIX_VERSION already installed in $VENV"
    exit 0
fi

python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "arize-phoenix==$PHOENIX_VERSION"
echo "Phoenix $PHOENIX_VERSION installed in $VENV; start it with $VENV/bin/phoenix serve"
