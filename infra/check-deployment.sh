#!/usr/bin/env bash
# Checks what can be checked here of the deployment files (nothing here can run the containers): YAML syntax and
# style with yamllint, and the compose file as docker-compose reads it, with either event store. Installs Debian's
# yamllint and docker-compose when they are missing (as root). That the files set only variables the apps know, with
# valid values, is a jest test: libs/platform/src/lib/config/deployment-consistency.spec.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
command -v yamllint >/dev/null || missing+=(yamllint)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if (( ${#missing[@]} )); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

echo "yamllint $(yamllint --version | awk '{print $2}'): infra/"
yamllint --strict -c infra/.yamllint.yaml infra/

compose=infra/compose/docker-compose.yml
for store in postgres eventstoredb; do
  echo "docker-compose config: $compose (EVENT_STORE=$store)"
  EVENT_STORE="$store" docker-compose -f "$compose" config -q
done
echo "deployment files OK"
