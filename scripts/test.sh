#!/usr/bin/env bash
# Runs every test: installs what is needed, builds, checks format and deploy/ (manifests, alert
# rules), then ctest (unit tests beside the code and end-to-end tests that start real `reservo`
# processes on loopback), then the fuzz targets for about a minute in all (scripts/fuzz.sh;
# FUZZ_SECONDS per target).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
./scripts/check-format.sh
./scripts/check-deploy.sh
ctest --preset release "$@"
./scripts/fuzz.sh
