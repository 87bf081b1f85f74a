#!/usr/bin/env bash
# One-time set-up for the test suite on a fresh Debian machine: the real
# servers and tools the tests start (Prometheus and promtool, nginx as the
# benchmark upstream, wrk, valgrind for the instruction counts, docker-compose
# to validate compose/docker-compose.yml without an engine), then the
# npm dependencies (which bring Node 24).
# Benchmark peers (haproxy, caddy) are optional: `npm run bench` uses them when
# installed. Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# nodejs: the system Node (older than engines) the start-up test runs bin/sidelight.js on.
PKGS="prometheus nginx-light wrk valgrind nodejs docker-compose"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

npm ci --no-audit --no-fund --loglevel=error
