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
# Bash completion where bash-completion finds it: system-wide as root, else the user's own
# directory (loaded on the first <TAB> after `reservo`). Written afresh, so it knows this build's systems.
if [ "$(id -u)" -eq 0 ] && [ -d /etc/bash_completion.d ] && [ -w /etc/bash_completion.d ]; then
    completion=/etc/bash_completion.d/reservo
else
    completion="${XDG_DATA_HOME:-$HOME/.local/share}/bash-completion/completions/reservo"
    mkdir -p "$(dirname "$completion")"
fi
if "$bin_dir/reservo" completion bash >"$completion.tmp" && mv -f "$completion.tmp" "$completion"; then
    echo "bash completion: $completion (new shells; now: source $completion)"
else
    rm -f "$completion.tmp"
    echo "bash completion not installed ($completion not writable)" >&2
fi
exec "$bin_dir/reservo" up "${@:-vaccine}"
