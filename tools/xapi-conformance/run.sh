#!/usr/bin/env bash
# The ADL LRS conformance test suite against this LRS (`npm run xapi:conformance`): prints, per xAPI version,
# "xAPI <version>: N passed, N failed" (docs/xapi.md records the figures).
#
#   npm run xapi:conformance                          builds the API, starts it on a fresh database, runs, stops it
#   npm run xapi:conformance -- --endpoint URL --key KEY   against an LRS already running (KEY: ingest + lrs scopes)
#   options: --versions "1.0.3 2.0.0"   --grep PATTERN   --failures (list the failing groups)
#
# The suite (adlnet/lrs-conformance-test-suite, pinned) is copied from LRS_SUITE_SOURCE (default
# ../shared/vendor/lrs-conformance-test-suite beside the repository, else /work/shared/…; CI cannot reach GitHub) to .cache/lrs-conformance (git-ignored)
# and its own dependencies installed there, once. It is never part of our node_modules.
# Environment: DATABASE_URL (the server the fresh database is made on; default the local PostgreSQL).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shared/ lies beside the clone (in CI, a copy beside the fresh clone); /work/shared on a development machine.
default_source="$root/../shared/vendor/lrs-conformance-test-suite"
[[ -d "$default_source" ]] || default_source=/work/shared/vendor/lrs-conformance-test-suite
suite_source="${LRS_SUITE_SOURCE:-$default_source}"
suite="$root/.cache/lrs-conformance"
endpoint='' key='' versions='1.0.3 2.0.0' grep_pattern='' list_failures=0
while (( $# )); do
  case "$1" in
    --endpoint) endpoint="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    --versions) versions="$2"; shift 2 ;;
    --grep) grep_pattern="$2"; shift 2 ;;
    --failures) list_failures=1; shift ;;
    *) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done

# --- the suite, cached and installed once -------------------------------------------------------------
if [[ ! -f "$suite/.installed" ]]; then
  [[ -d "$suite_source" ]] || { echo "the conformance suite is not at $suite_source (set LRS_SUITE_SOURCE)" >&2; exit 1; }
  echo "caching the conformance suite in $suite" >&2
  rm -rf "$suite" && mkdir -p "$(dirname "$suite")" && cp -R "$suite_source" "$suite" && chmod -R u+w "$suite"
  (cd "$suite" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  touch "$suite/.installed"
fi

# --- the LRS: given, or the API started on a fresh database ---------------------------------------------
api_pid='' database=''
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cleanup() {
  if [[ -n "$api_pid" ]]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  if [[ -n "$database" ]]; then node "$root/tools/xapi-conformance/database.js" drop "$database" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

if [[ -z "$endpoint" ]]; then
  echo "building and starting the API on a fresh database" >&2
  (cd "$root" && npm run --silent build:server)
  database="xapi_conformance_$$_$(date +%s)"
  database_url="$(node "$root/tools/xapi-conformance/database.js" create "$database")"
  port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
  key="rl_conformance_$(node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))')"
  log="$root/.cache/xapi-conformance-api.log"
  (cd "$root" && exec env -u KAFKA_BROKERS DATABASE_URL="$database_url" PORT="$port" HOST=127.0.0.1 API_BOOTSTRAP_KEY="$key" API_BOOTSTRAP_TENANT=conformance \
    DEMO_DATA=false RATE_LIMIT_INGEST_PER_MINUTE=0 RATE_LIMIT_QUERY_PER_MINUTE=0 LOG_LEVEL=warn \
    node -r ./tools/runtime-paths.js dist/apps/api/src/main.js >"$log" 2>&1) &
  api_pid=$!
  endpoint="http://127.0.0.1:$port/v1/xapi"
  for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
    kill -0 "$api_pid" 2>/dev/null || { echo "the API did not start; see $log" >&2; exit 1; }
    sleep 1
  done
  curl -fs "http://127.0.0.1:$port/health" >/dev/null || { echo "the API did not answer /health in 120 s; see $log" >&2; exit 1; }
fi
[[ -n "$key" ]] || { echo "--key is required with --endpoint" >&2; exit 2; }

# --- each version --------------------------------------------------------------------------------------
results=()
for version in $versions; do
  echo "running the xAPI $version conformance tests against $endpoint" >&2
  out="$root/.cache/xapi-conformance-$version.out"
  args=(-e "$endpoint" -a -u conformance -p "$key" -x "$version" -z)
  [[ -n "$grep_pattern" ]] && args+=(-g "$grep_pattern")
  (cd "$suite" && node bin/console_runner.js "${args[@]}" >"$out" 2>&1) || true
  summary="$(grep -E '^\{"total"' "$out" | tail -n1 || true)"
  logfile="$(sed -n 's/^Full run log written to //p' "$out" | tail -n1)"
  if [[ -z "$summary" ]]; then
    results+=("xAPI $version: did not run (see $out)")
    continue
  fi
  results+=("$(node -e 'const s = JSON.parse(process.argv[1]); console.log(`xAPI ${process.argv[2]}: ${s.passed} passed, ${s.failed} failed`)' "$summary" "$version")")
  if (( list_failures )) && [[ -n "$logfile" ]]; then node "$root/tools/xapi-conformance/failures.js" "$logfile" >&2; fi
done
printf '%s\n' "${results[@]}"
