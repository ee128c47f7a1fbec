#!/usr/bin/env bash
# Checks deploy/: the generated files are what deploy/generate.py writes; every deploy/k8s/<system>
# renders with `kubectl kustomize` and holds, for each process of systems/<system>/system.yaml, a
# Deployment (probes, resources, ConfigMap on Kafka + PostgreSQL, Secret, maxUnavailable 0, preStop,
# read-only root, non-root) and a Service, with an HPA and a PDB for the core ones, no fault
# injection and no RESERVO_* variable that overrides no key (deploy/check_manifests.py); the alert
# rules pass `promtool check rules` and their unit test; the compose file parses and is complete.
# One line per check group; exits non-zero if any fails.
#
#   scripts/check-deploy.sh [DEPLOY_DIR]   # DEPLOY_DIR: a copy of deploy/ to check (default deploy)
#   KUBECTL=/path/to/kubectl scripts/check-deploy.sh
#
# Needs kubectl (any: Debian 12's kubernetes-client 1.20 embeds kustomize 2.0.3, enough here),
# promtool (Debian's prometheus) and python3 with PyYAML; scripts/install-deps.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy=${1:-deploy}
kubectl=${KUBECTL:-kubectl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# Runs a check; prints `ok  NAME` or `FAIL  NAME` and what it said.
check() {
  local name=$1
  shift
  if "$@" >"$tmp/out" 2>&1; then
    echo "ok    $name"
  else
    echo "FAIL  $name"
    sed 's/^/      /' "$tmp/out"
    failed=1
  fi
}

for tool in "$kubectl" promtool python3; do
  command -v "$tool" >/dev/null || { echo "FAIL  $tool not found (scripts/install-deps.sh installs it)"; exit 1; }
done

check "generated files are deploy/generate.py's (python3 deploy/generate.py rewrites them)" \
  python3 deploy/generate.py --check --deploy-dir "$deploy"

mkdir -p "$tmp/rendered"
for yaml in systems/*/system.yaml; do
  system=$(basename "$(dirname "$yaml")")
  render() { "$kubectl" kustomize "$deploy/k8s/$system" >"$tmp/rendered/$system.yaml"; }
  check "kubectl kustomize $deploy/k8s/$system" render
done

if python3 deploy/check_manifests.py --rendered "$tmp/rendered" --deploy-dir "$deploy"; then :; else failed=1; fi

check "promtool check rules $deploy/alerts.yaml" promtool check rules "$deploy/alerts.yaml"
check "promtool test rules $deploy/alerts_test.yaml" promtool test rules "$deploy/alerts_test.yaml"

# Compose itself validates the file where it is installed; it needs no engine for `config`.
if docker compose version >/dev/null 2>&1; then
  check "docker compose config" docker compose -f "$deploy/compose.yaml" config --quiet
elif command -v docker-compose >/dev/null 2>&1; then
  check "docker-compose config" docker-compose -f "$deploy/compose.yaml" config --quiet
else
  echo "skip  compose config (neither docker compose nor docker-compose installed; parsed above)"
fi

exit "$failed"
