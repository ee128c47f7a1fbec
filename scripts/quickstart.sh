#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine: install, build, put `reservo` on the PATH, and run the
# vaccine system on embedded defaults (SQLite + embedded event log under ./data). Gateway:
# http://localhost:8080. Other systems: ./scripts/quickstart.sh hotel (or any list of systems).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
# A link, not a copy: the binary finds its modules (libreservo_hotel_grpc.so) beside its real path.
bin_dir=/usr/local/bin
[ -w "$bin_dir" ] || { bin_dir="$HOME/.local/bin"; mkdir -p "$bin_dir"; }
ln -sf "$PWD/build/release/reservo" "$bin_dir/reservo"
echo "reservo is on the PATH: $bin_dir/reservo -> $PWD/build/release/reservo ($("$bin_dir/reservo" --version))"
exec "$bin_dir/reservo" up "${@:-vaccine}"
