#!/usr/bin/env bash
# Installs what the build needs and builds Reservo (Release, 2 jobs, ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
