#!/usr/bin/env bash
# Run the whole test suite (installs what is missing first; idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install.sh
exec .venv/bin/python -m pytest "$@"
