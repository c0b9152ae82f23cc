import {
  asManagedSettings,
  asShell,
  claudeCodeEnvironment,
  copilotImportCommands,
  csvImportCommands,
  INGEST_KEY_COMMAND,
  lrsSettings,
  otelSdkEnvironment,
  otlpEndpoint,
  xapiEndpoint,
} from './connect-config';

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

  it("gives an LMS's LRS settings: this instance's /v1/xapi (and its trailing-slash spelling), Basic auth with an ingest key as the secret, the versions", () => {
    expect(xapiEndpoint('https://ledger.acme.test//')).toBe('https://ledger.acme.test/v1/xapi');
    const settings = Object.fromEntries(lrsSettings('https://ledger.acme.test/').map((setting) => [setting.id, setting]));
    expect(Object.keys(settings)).toEqual(['endpoint', 'username', 'password', 'authentication', 'version']);
    expect(settings['endpoint']).toMatchObject({ value: 'https://ledger.acme.test/v1/xapi', note: expect.stringContaining('https://ledger.acme.test/v1/xapi/') });
    expect(settings['password']).toMatchObject({ value: '<ingest key>', note: expect.stringMatching(/ingest scope.*lrs scope/) });
    expect(settings['authentication'].value).toBe('HTTP Basic');
    expect(settings['version'].value).toBe('1.0.3 or 2.0.0');
    expect(INGEST_KEY_COMMAND).toBe('npm run cli -- keys create --tenant <tenant> --scopes ingest');
  });

  it("writes the three CSV imports (directory, catalogue before completions) through this instance's API and through the database", () => {
    const { database, api } = csvImportCommands('https://ledger.acme.test/');
    const commands = (text: string) => text.split('\n').map((line) => line.split(' [')[0]);
    expect(commands(database)).toEqual([
      'npm run cli -- import directory <workers.csv> --tenant <tenant>',
      'npm run cli -- import courses <catalogue.csv> --tenant <tenant>',
      'npm run cli -- import completions <completions.csv> --tenant <tenant>',
    ]);
    expect(commands(api)).toEqual([
      'npm run cli -- import directory <workers.csv> --url https://ledger.acme.test --api-key "<ingest key>"',
      'npm run cli -- import courses <catalogue.csv> --url https://ledger.acme.test --api-key "<ingest key>"',
      'npm run cli -- import completions <completions.csv> --url https://ledger.acme.test --api-key "<ingest key>"',
    ]);
    expect(database.split('\n').map((line) => line.slice(line.indexOf(' [')))).toEqual([' [--map …]', ' [--map …]', ' [--map …] [--date-format …]']);
  });
});
