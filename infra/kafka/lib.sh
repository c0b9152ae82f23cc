# shellcheck shell=bash disable=SC2034  # variables are used by the scripts that source this file
# Shared settings and helpers for start.sh / stop.sh / topics.sh. Source it; do not run it.
#
# Environment (all optional):
#   KAFKA_PORT             PLAINTEXT (client) port                 default 9092
#   KAFKA_CONTROLLER_PORT  KRaft controller port                   default KAFKA_PORT+1
#   KAFKA_HOST             bind + advertised host                  default 127.0.0.1
#   KAFKA_STATE_DIR        the broker's own files: server.properties, admin.properties, kafka.pid, kafka.log,
#                          bootstrap, and data/ unless KAFKA_DATA_DIR says otherwise   default infra/kafka/.cache
#                          (a second broker beside the shared one, e.g. a test's, takes a folder of its own;
#                          the jars stay in infra/kafka/.cache/libs whatever it says)
#   KAFKA_DATA_DIR         log.dirs (topic + metadata data)        default $KAFKA_STATE_DIR/data
#   KAFKA_HEAP_OPTS        JVM heap flags for the broker           default "-Xms256m -Xmx512m"
#   KAFKA_JVM_OPTS         other broker JVM flags (GC, JIT)        default see below
#   KAFKA_START_TIMEOUT    seconds to wait for readiness           default 90
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM           default 30
#   JAVA_HOME / JAVA       which java to use                       default java on PATH
#   MVN                    which maven to use                      default mvn

KAFKA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_CACHE_DIR="$KAFKA_DIR/.cache"
KAFKA_LIBS_DIR="$KAFKA_CACHE_DIR/libs"
KAFKA_STATE_DIR="${KAFKA_STATE_DIR:-$KAFKA_CACHE_DIR}"
# Absolute, so that stop.sh run from another folder finds the pid file start.sh wrote.
[[ "$KAFKA_STATE_DIR" == /* ]] || KAFKA_STATE_DIR="$PWD/$KAFKA_STATE_DIR"
KAFKA_CONFIG_FILE="$KAFKA_STATE_DIR/server.properties"
KAFKA_ADMIN_CONFIG_FILE="$KAFKA_STATE_DIR/admin.properties"
KAFKA_PID_FILE="$KAFKA_STATE_DIR/kafka.pid"
KAFKA_LOG_FILE="$KAFKA_STATE_DIR/kafka.log"
KAFKA_BOOTSTRAP_FILE="$KAFKA_STATE_DIR/bootstrap"

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$KAFKA_STATE_DIR/data}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"

if [[ -n "${JAVA:-}" ]]; then :
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"
else JAVA=java
fi
MVN="${MVN:-mvn}"

kafka_log()  { printf '[kafka] %s\n' "$*"; }
kafka_err()  { printf '[kafka] ERROR: %s\n' "$*" >&2; }
kafka_die()  { kafka_err "$*"; exit 1; }

kafka_require_java() {
  command -v "$JAVA" >/dev/null 2>&1 || kafka_die "java not found (need Java 11+; set JAVA_HOME or JAVA)."
}

# Fingerprint of the dependency manifest; the jar cache is reused while it matches.
kafka_pom_hash() { sha256sum "$KAFKA_DIR/pom.xml" | cut -d' ' -f1; }

# Resolve the broker jars into .cache/libs unless a complete cache for the current pom.xml exists.
kafka_ensure_libs() {
  local stamp="$KAFKA_LIBS_DIR/.pom.sha256" want
  want="$(kafka_pom_hash)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$KAFKA_LIBS_DIR/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 || kafka_die "Kafka jars are not cached in $KAFKA_LIBS_DIR and '$MVN' is not installed (need Maven 3.6+)."
  kafka_log "resolving Kafka jars from Maven Central into $KAFKA_LIBS_DIR (first run only) ..."
  mkdir -p "$KAFKA_CACHE_DIR"
  local tmp="$KAFKA_CACHE_DIR/libs.tmp.$$"
  rm -rf "$tmp"
  local t0=$SECONDS
  local out rc=0
  # Debian's Maven 3.8 prints bare ANSI resets even with -q -B; strip them so logs stay clean.
  out="$("$MVN" -q -B -Dstyle.color=never -f "$KAFKA_DIR/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1)" || rc=$?
  out="$(printf '%s' "$out" | sed 's/\x1b\[[0-9;]*m//g')"
  [[ -n "${out//[[:space:]]/}" ]] && printf '%s\n' "$out" >&2
  if (( rc != 0 )); then
    rm -rf "$tmp"
    kafka_die "mvn dependency:copy-dependencies failed (exit $rc; is Maven Central reachable? see output above)."
  fi
  echo "$want" > "$tmp/.pom.sha256"
  rm -rf "$KAFKA_LIBS_DIR"
  mv "$tmp" "$KAFKA_LIBS_DIR"
  local jars=("$KAFKA_LIBS_DIR"/*.jar)
  kafka_log "resolved ${#jars[@]} jars in $((SECONDS - t0))s"
}

kafka_classpath() { printf '%s/*' "$KAFKA_LIBS_DIR"; }

# Run a Kafka CLI main class (StorageTool, TopicCommand, ...) on the cached classpath.
# Set KAFKA_TOOL_TIMEOUT=<seconds> to bound the run (coreutils timeout).
kafka_run_tool() {
  local main="$1"; shift
  local -a prefix=()
  [[ -n "${KAFKA_TOOL_TIMEOUT:-}" ]] && prefix=(timeout "$KAFKA_TOOL_TIMEOUT")
  "${prefix[@]}" "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_DIR/config/tools-log4j.properties" \
    -cp "$(kafka_classpath)" "$main" "$@"
}

# Admin-client settings for the tools, so a probe against a broker that is not up fails fast.
kafka_write_admin_config() {
  mkdir -p "$KAFKA_STATE_DIR"
  cat > "$KAFKA_ADMIN_CONFIG_FILE" <<PROPS
request.timeout.ms=5000
default.api.timeout.ms=10000
retry.backoff.ms=200
PROPS
}

# PID from the pid file if that process is alive and is our broker; empty otherwise.
kafka_running_pid() {
  [[ -f "$KAFKA_PID_FILE" ]] || return 0
  local pid
  pid="$(tr -dc '0-9' < "$KAFKA_PID_FILE")"
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
    echo "$pid"
  fi
}

# True if something accepts TCP connections on host:port.
kafka_port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}
