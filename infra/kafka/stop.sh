#!/usr/bin/env bash
# Stop the broker started by start.sh: SIGTERM (controlled shutdown), wait, SIGKILL after a timeout.
# Usage: infra/kafka/stop.sh [--clean]     (or: npm run kafka:stop [-- --clean])
#   --clean   also delete the data dir (topics, offsets, KRaft metadata); the jar cache is kept.
set -euo pipefail
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

clean=0
for arg in "$@"; do
  case "$arg" in
    --clean) clean=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) kafka_die "unknown argument: $arg (usage: stop.sh [--clean])" ;;
  esac
done

pid="$(kafka_running_pid)"
if [[ -z "$pid" ]]; then
  if [[ -f "$KAFKA_PID_FILE" ]]; then
    kafka_log "not running (removing stale pid file)"
  else
    kafka_log "not running"
  fi
else
  kafka_log "stopping broker (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    kafka_err "broker did not exit within ${KAFKA_STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  if kill -0 "$pid" 2>/dev/null; then
    kafka_die "could not stop broker pid $pid"
  fi
  kafka_log "stopped"
fi
rm -f "$KAFKA_PID_FILE" "$KAFKA_BOOTSTRAP_FILE"

if (( clean )); then
  case "$KAFKA_DATA_DIR" in
    ""|"/") kafka_die "refusing to delete KAFKA_DATA_DIR='$KAFKA_DATA_DIR'" ;;
  esac
  kafka_log "removing data dir $KAFKA_DATA_DIR"
  rm -rf "$KAFKA_DATA_DIR"
fi
