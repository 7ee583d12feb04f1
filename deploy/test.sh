#!/usr/bin/env bash
# Run the type check and the whole test suite (installs what is missing first; idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install.sh
.venv/bin/mypy  # [tool.mypy] in pyproject.toml: which packages are checked, and how
exec .venv/bin/python -m pytest "$@"
