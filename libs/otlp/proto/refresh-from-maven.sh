#!/usr/bin/env bash
# Refreshes the committed OpenTelemetry .proto files from the Maven Central artifact
# io.opentelemetry.proto:opentelemetry-proto (the jar carries the .proto sources beside the Java classes).
# Usage: libs/otlp/proto/refresh-from-maven.sh [version]   (default: the version in VERSION)
# Needs maven (`mvn`, or MVN=...) and unzip. Only the files the receiver loads are kept.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-$(cat "$here/VERSION")}"
MVN="${MVN:-mvn}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$MVN" -q dependency:copy -Dartifact="io.opentelemetry.proto:opentelemetry-proto:$version" -DoutputDirectory="$work"
jar="$work/opentelemetry-proto-$version.jar"
files=(
  opentelemetry/proto/common/v1/common.proto
  opentelemetry/proto/resource/v1/resource.proto
  opentelemetry/proto/logs/v1/logs.proto
  opentelemetry/proto/trace/v1/trace.proto
  opentelemetry/proto/metrics/v1/metrics.proto
  opentelemetry/proto/collector/logs/v1/logs_service.proto
  opentelemetry/proto/collector/trace/v1/trace_service.proto
  opentelemetry/proto/collector/metrics/v1/metrics_service.proto
)
unzip -q -o "$jar" "${files[@]}" -d "$work/x"
rm -rf "$here/opentelemetry"
for file in "${files[@]}"; do
  mkdir -p "$here/$(dirname "$file")"
  cp "$work/x/$file" "$here/$file"
done
echo "$version" > "$here/VERSION"
echo "opentelemetry-proto $version: ${#files[@]} files in $here/opentelemetry"

# google.rpc.Status, the body of OTLP/HTTP error answers, from googleapis' common protos.
googleapis="$(cat "$here/VERSION.googleapis")"
"$MVN" -q dependency:copy -Dartifact="com.google.api.grpc:proto-google-common-protos:$googleapis" -DoutputDirectory="$work"
unzip -q -o "$work/proto-google-common-protos-$googleapis.jar" google/rpc/status.proto -d "$work/g"
mkdir -p "$here/google/rpc"
cp "$work/g/google/rpc/status.proto" "$here/google/rpc/status.proto"
echo "proto-google-common-protos $googleapis: google/rpc/status.proto"
