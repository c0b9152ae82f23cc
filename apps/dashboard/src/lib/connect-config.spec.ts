import { asManagedSettings, asShell, claudeCodeEnvironment, otelSdkEnvironment, otlpEndpoint } from './connect-config';

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
});
