// The copy-paste configuration of the Connect view, filled with this instance's address (docs/connectors/otlp.md).

/** Where exporters send OTLP/HTTP: the instance's origin + /otlp (the SDKs append /v1/logs, /v1/traces, /v1/metrics). */
export const otlpEndpoint = (origin: string) => `${origin.replace(/\/+$/, '')}/otlp`;

const KEY_PLACEHOLDER = '<ingest key>';

/** Claude Code's telemetry settings, as environment variables (one per line, `export NAME=value`). */
export function claudeCodeEnvironment(origin: string): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(origin),
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${KEY_PLACEHOLDER}`,
    OTEL_RESOURCE_ATTRIBUTES: 'team.id=<your team>',
  };
}

/** A generic OpenTelemetry SDK (GenAI spans, rework log events). */
export function otelSdkEnvironment(origin: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(origin),
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${KEY_PLACEHOLDER}`,
    OTEL_RESOURCE_ATTRIBUTES: 'service.name=<your assistant>,team.id=<your team>',
  };
}

/** Environment variables as shell lines; values with spaces or shell characters quoted. */
export const asShell = (environment: Record<string, string>) =>
  Object.entries(environment)
    .map(([name, value]) => `export ${name}=${/^[\w./:,@=-]+$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, '\\$1')}"`}`)
    .join('\n');

/** Claude Code's managed settings file (`env` block), for an organisation-wide rollout. */
export const asManagedSettings = (environment: Record<string, string>) => JSON.stringify({ env: environment }, null, 2);

/**
 * The GitHub Copilot usage import (docs/connectors/copilot.md), run once a day: through the database (the CLI's
 * DATABASE_URL, `--tenant`), or through this instance's API with an ingest key (the key names the tenant).
 */
export function copilotImportCommands(origin: string): { database: string; api: string } {
  const token = 'export GITHUB_TOKEN=<token that can read the Copilot metrics>';
  return {
    database: `${token}\nnpm run cli -- import copilot --tenant <tenant> --org <github org>`,
    api: `${token}\nnpm run cli -- import copilot --org <github org> --url ${origin.replace(/\/+$/, '')} --api-key "${KEY_PLACEHOLDER}"`,
  };
}
