import { asManagedSettings, asShell, claudeCodeEnvironment, copilotImportCommands, otelSdkEnvironment, otlpEndpoint } from './connect-config';

describe('the Connect view configuration', () => {
  it("points the exporters at this instance's /otlp, whatever trailing slash the origin has", () => {
    expect(otlpEndpoint('https://ledger.acme.test/')).toBe('https://ledger.acme.test/otlp');
    expect(claudeCodeEnvironment('http://localhost:3000')).toMatchObject({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:3000/otlp',
    });
    expect(otelSdkEnvironment('http://localhost:3000').OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://localhost:3000/otlp');
  });

  it('writes shell lines (quoted when needed) and a managed-settings env block', () => {
    const environment = { A: 'otlp', B: 'Authorization=Bearer <key>', C: 'say "$x"' };
    expect(asShell(environment)).toBe('export A=otlp\nexport B="Authorization=Bearer <key>"\nexport C="say \\"\\$x\\""');
    expect(JSON.parse(asManagedSettings(environment))).toEqual({ env: environment });
  });

  it("writes the Copilot import through the database and through this instance's API", () => {
    const { database, api } = copilotImportCommands('https://ledger.acme.test/');
    expect(database).toBe('export GITHUB_TOKEN=<token that can read the Copilot metrics>\nnpm run cli -- import copilot --tenant <tenant> --org <github org>');
    expect(api.split('\n')[1]).toBe('npm run cli -- import copilot --org <github org> --url https://ledger.acme.test --api-key "<ingest key>"');
  });
});
