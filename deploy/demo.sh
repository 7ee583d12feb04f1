#!/usr/bin/env bash
# Install everything, then run the product on its embedded defaults (demo data, simulated devices).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install.sh
export RECEPTION_DATA=${RECEPTION_DATA:-$PWD/data}
exec .venv/bin/reception demo "$@"
