#!/usr/bin/env bash
# Topic helper using the Kafka CLI classes from the cached classpath (auto-create is off on the dev broker).
# Usage:
#   infra/kafka/topics.sh create <name> [partitions] [extra TopicCommand args, e.g. --config retention.ms=60000]
#   infra/kafka/topics.sh delete <name>
#   infra/kafka/topics.sh list
#   infra/kafka/topics.sh describe [name]
# Bootstrap: KAFKA_BOOTSTRAP, else $KAFKA_HOST:$KAFKA_PORT (default 127.0.0.1:9092).
# 'create' is idempotent (--if-not-exists); replication factor is always 1.
set -euo pipefail
_bootstrap_override="${KAFKA_BOOTSTRAP:-}"
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
[[ -n "$_bootstrap_override" ]] && KAFKA_BOOTSTRAP="$_bootstrap_override"

usage() { sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

kafka_require_java
[[ -d "$KAFKA_LIBS_DIR" ]] || kafka_ensure_libs
kafka_write_admin_config

topic_cmd() {
  kafka_run_tool org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$KAFKA_ADMIN_CONFIG_FILE" "$@"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  create)
    name="${1:-}"; [[ -n "$name" ]] || usage; shift
    partitions=""
    if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then partitions="$1"; shift; fi
    args=(--create --if-not-exists --topic "$name" --replication-factor 1)
    [[ -n "$partitions" ]] && args+=(--partitions "$partitions")
    topic_cmd "${args[@]}" "$@"
    kafka_log "topic '$name' ready on $KAFKA_BOOTSTRAP"
    ;;
  delete)
    name="${1:-}"; [[ -n "$name" ]] || usage; shift
    topic_cmd --delete --if-exists --topic "$name" "$@"
    ;;
  list)
    topic_cmd --list "$@"
    ;;
  describe)
    if [[ $# -gt 0 && "$1" != --* ]]; then name="$1"; shift; topic_cmd --describe --topic "$name" "$@"
    else topic_cmd --describe "$@"; fi
    ;;
  *) usage ;;
esac
