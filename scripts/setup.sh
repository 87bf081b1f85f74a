#!/usr/bin/env bash
# One-time set-up for the test suite on a fresh Debian machine: the real
# servers the tests start (Redis, Prometheus, nginx, HAProxy, Caddy, Chromium)
# and the load tools, then the npm dependencies (which bring Node 24).
# Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="redis-server prometheus nginx-light haproxy caddy wrk nghttp2-client chromium"
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
