#!/usr/bin/env bash
# Install the Debian/Ubuntu package 'kcat' (Kafka CLI producer/consumer) only if it is missing.
set -euo pipefail
if command -v kcat >/dev/null 2>&1; then
  echo "[kafka] kcat already installed: $(kcat -V 2>&1 | head -n1)"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "[kafka] ERROR: kcat missing and apt-get not available; install kcat manually" >&2; exit 1; }
SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "[kafka] ERROR: need root or sudo to apt-get install kcat" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends kcat
echo "[kafka] installed: $(kcat -V 2>&1 | head -n1)"
