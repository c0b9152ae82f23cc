// The copy-paste configuration of the Connect view, filled with this instance's address (docs/connectors/otlp.md).

/** The instance's origin without trailing slashes: every address below is built on it. */
const baseUrl = (origin: string) => origin.replace(/\/+$/, '');

/** Where exporters send OTLP/HTTP: the instance's origin + /otlp (the SDKs append /v1/logs, /v1/traces, /v1/metrics). */
export const otlpEndpoint = (origin: string) => `${baseUrl(origin)}/otlp`;

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
    api: `${token}\nnpm run cli -- import copilot --org <github org> --url ${baseUrl(origin)} --api-key "${KEY_PLACEHOLDER}"`,
  };
}

/** The xAPI endpoint an LMS or an LRS forwarding is given (docs/xapi.md); it appends `/statements` itself. */
export const xapiEndpoint = (origin: string) => `${baseUrl(origin)}/v1/xapi`;

/** One field of an LMS's "LRS settings" screen: what it is usually called there, and what to enter for this instance. */
export type LrsSetting = Readonly<{ id: string; field: string; value: string; note?: string }>;

/**
 * What an LMS's (or an LRS forwarding's) "LRS settings" screen asks for. Those screens ask for a key and a secret and
 * send them as HTTP Basic credentials: the secret is the API key, the key is not checked (any label, e.g. the key's id).
 */
export function lrsSettings(origin: string): readonly LrsSetting[] {
  return [
    { id: 'endpoint', field: 'Endpoint (LRS URL)', value: xapiEndpoint(origin), note: `some LMSs want the trailing slash: ${xapiEndpoint(origin)}/` },
    { id: 'username', field: 'Key / username', value: "<any text, e.g. the key's id>" },
    { id: 'password', field: 'Secret / password', value: KEY_PLACEHOLDER, note: 'an API key with the ingest scope; reading statements back needs the lrs scope' },
    { id: 'authentication', field: 'Authentication', value: 'HTTP Basic' },
    { id: 'version', field: 'xAPI version', value: '1.0.3 or 2.0.0' },
  ];
}

/** The command that makes a key with the ingest scope (printed once, after its id). */
export const INGEST_KEY_COMMAND = 'npm run cli -- keys create --tenant <tenant> --scopes ingest';

/**
 * The CSV imports of an HR directory and an LMS's exports (docs/imports.md), through this instance's API with an
 * ingest key (the key names the tenant) or through the database (`--tenant`). The catalogue comes before the
 * completions: through the database, a completion of a course not registered is rejected. `[…]` is optional (the
 * view says how `--map` and `--date-format` are written).
 */
export function csvImportCommands(origin: string): { database: string; api: string } {
  const imports = [
    ['directory', '<workers.csv>', '[--map …]'],
    ['courses', '<catalogue.csv>', '[--map …]'],
    ['completions', '<completions.csv>', '[--map …] [--date-format …]'],
  ];
  const commands = (destination: string) => imports.map(([kind, file, options]) => `npm run cli -- import ${kind} ${file} ${destination} ${options}`).join('\n');
  return { database: commands('--tenant <tenant>'), api: commands(`--url ${baseUrl(origin)} --api-key "${KEY_PLACEHOLDER}"`) };
}
