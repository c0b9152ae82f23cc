import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, loadConfig } from './app-config';
import { ConfigError } from './config.errors';
import { CONFIG_DEFAULTS, CONFIGURATION_VARIABLES } from './configuration-variables';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  describe('given an empty environment', () => {
    const config = loadConfig({});

    it('then every variable takes its default', () => {
      expect(config).toBeInstanceOf(AppConfig);
      expect(config.http).toEqual({ port: 3000, host: '127.0.0.1' });
      expect(config.database).toEqual({ kind: 'embedded', port: 5433 });
      expect(config.demoData).toBe(true);
      expect(config.logLevel).toBe('log');
      expect(config.bootstrap).toEqual({ tenant: 'demo' });
      expect(config.tenantDefaults).toEqual({ currency: 'USD', hourlyCost: 60, privacyMinGroupSize: 5 });
      expect(config.eventStore).toEqual({ kind: 'postgres' });
    });

    it('then Kafka is off', () => {
      expect(config.kafka).toBeUndefined();
    });

    it('then the HTTP server has timeouts, generous rate limits, an open /metrics and a 30 s key cache', () => {
      expect(config.httpTimeouts).toEqual({ headersMs: 20_000, requestMs: 60_000, keepAliveMs: 5_000 });
      expect(config.rateLimits).toEqual({ ingestPerMinute: 30_000, queryPerMinute: 3_000 });
      expect(config.metricsToken).toBeUndefined();
      expect(config.apiKeyCacheMs).toBe(30_000);
    });

    it('then the read pool holds 10 connections and a request waits 10 s for one', () => {
      expect(config.databasePools).toEqual({ readPoolSize: 10, timeoutMs: 10_000 });
    });
  });

  it('given blank values, then they count as absent', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '  ', KAFKA_BROKERS: '' });
    expect(config.http.port).toBe(3000);
    expect(config.database.kind).toBe('embedded');
    expect(config.kafka).toBeUndefined();
  });

  it('given every variable, then each is parsed to its type', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      DEMO_DATA: 'no',
      API_BOOTSTRAP_KEY: 'a-key-of-sixteen-chars',
      API_BOOTSTRAP_TENANT: 'acme',
      DEFAULT_CURRENCY: 'eur',
      DEFAULT_HOURLY_COST: '72.5',
      PRIVACY_MIN_GROUP_SIZE: '3',
      LOG_LEVEL: 'DEBUG',
      KAFKA_BROKERS: ' 127.0.0.1:9092, kafka-2.internal:19092 ,[::1]:9093',
      KAFKA_CLIENT_ID: 'ledger-a',
      KAFKA_TELEMETRY_TOPIC: 'telemetry',
      KAFKA_DEAD_LETTER_TOPIC: 'telemetry.dlq',
      KAFKA_TOPIC_PARTITIONS: '12',
      KAFKA_SSL: 'TRUE',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'ledger',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_TENANT: 'acme',
      KAFKA_MAX_MESSAGE_BYTES: '2097152',
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false',
    });
    expect(config.http).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(config.database).toEqual({ kind: 'external', url: 'postgres://postgres@127.0.0.1:5432/postgres' });
    expect(config.demoData).toBe(false);
    expect(config.bootstrap).toEqual({ tenant: 'acme', apiKey: 'a-key-of-sixteen-chars' });
    expect(config.tenantDefaults).toEqual({ currency: 'EUR', hourlyCost: 72.5, privacyMinGroupSize: 3 });
    expect(config.logLevel).toBe('debug');
    expect(config.kafka).toEqual({
      brokers: ['127.0.0.1:9092', 'kafka-2.internal:19092', '[::1]:9093'],
      clientId: 'ledger-a',
      telemetryTopic: 'telemetry',
      deadLetterTopic: 'telemetry.dlq',
      topicPartitions: 12,
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'ledger', password: 'secret' },
      tenant: 'acme',
      maxMessageBytes: 2_097_152,
    });
    expect(config.eventStore).toEqual({ kind: 'eventstoredb', connectionString: 'esdb://127.0.0.1:2113?tls=false' });
  });

  it('given the HTTP settings, then each is parsed', () => {
    const config = loadConfig({
      HTTP_HEADERS_TIMEOUT_MS: '10000',
      HTTP_REQUEST_TIMEOUT_MS: '120000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
      RATE_LIMIT_INGEST_PER_MINUTE: '0',
      RATE_LIMIT_QUERY_PER_MINUTE: '600',
      METRICS_TOKEN: 'a-scraper-token-16+',
      API_KEY_CACHE_SECONDS: '60',
    });
    expect(config.httpTimeouts).toEqual({ headersMs: 10_000, requestMs: 120_000, keepAliveMs: 65_000 });
    expect(config.rateLimits).toEqual({ ingestPerMinute: 0, queryPerMinute: 600 });
    expect(config.metricsToken).toBe('a-scraper-token-16+');
    expect(config.apiKeyCacheMs).toBe(60_000);
  });

  it('given the database pool settings, then each is parsed, the bounds included', () => {
    expect(loadConfig({ DATABASE_READ_POOL_SIZE: '25', DATABASE_POOL_TIMEOUT_MS: '30000' }).databasePools).toEqual({ readPoolSize: 25, timeoutMs: 30_000 });
    expect(loadConfig({ DATABASE_READ_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '1000' }).databasePools).toEqual({ readPoolSize: 1, timeoutMs: 1000 });
    expect(loadConfig({ DATABASE_READ_POOL_SIZE: '100', DATABASE_POOL_TIMEOUT_MS: '300000' }).databasePools).toEqual({ readPoolSize: 100, timeoutMs: 300_000 });
  });

  it('given only KAFKA_BROKERS, then Kafka uses the default topics and no SASL', () => {
    expect(loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092' }).kafka).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'rework-ledger',
      telemetryTopic: 'rework-ledger.telemetry.v1',
      deadLetterTopic: 'rework-ledger.telemetry.dlq.v1',
      topicPartitions: 6,
      ssl: false,
      maxMessageBytes: 1_048_576,
    });
  });

  it('given the embedded database settings, then they are used when DATABASE_URL is absent', () => {
    expect(loadConfig({ EMBEDDED_PG_PORT: '6543', EMBEDDED_PG_DATA_DIR: '/var/tmp/ledger' }).database).toEqual({
      kind: 'embedded',
      port: 6543,
      dataDir: '/var/tmp/ledger',
    });
  });

  it('given XDG_DATA_HOME, then the embedded database carries it for its default folder', () => {
    expect(loadConfig({ XDG_DATA_HOME: '/home/ann/.data' }).database).toEqual({ kind: 'embedded', port: 5433, xdgDataHome: '/home/ann/.data' });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'must be an integer from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT', 'must be an integer from 0 to 65535'],
    [{ PORT: '80.5' }, 'PORT', 'must be an integer from 0 to 65535'],
    [{ EMBEDDED_PG_PORT: '0' }, 'EMBEDDED_PG_PORT', 'must be an integer from 1 to 65535'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL', 'must be a postgres:// or postgresql:// URL'],
    [{ DEMO_DATA: 'maybe' }, 'DEMO_DATA', 'must be a boolean'],
    [{ API_BOOTSTRAP_KEY: 'short' }, 'API_BOOTSTRAP_KEY', 'must be at least 16 characters long'],
    [{ API_BOOTSTRAP_TENANT: 'two words' }, 'API_BOOTSTRAP_TENANT', 'must be 1 to 200 characters without spaces'],
    [{ DEFAULT_CURRENCY: 'XYZ' }, 'DEFAULT_CURRENCY', 'must be an ISO 4217 currency code'],
    [{ DEFAULT_HOURLY_COST: '-1' }, 'DEFAULT_HOURLY_COST', 'must be a number from 0 to 1000000000'],
    [{ DEFAULT_HOURLY_COST: '1e308' }, 'DEFAULT_HOURLY_COST', 'must be a number from 0 to 1000000000'],
    [{ DEFAULT_HOURLY_COST: 'sixty' }, 'DEFAULT_HOURLY_COST', 'must be a number from 0 to 1000000000'],
    [{ PRIVACY_MIN_GROUP_SIZE: '0' }, 'PRIVACY_MIN_GROUP_SIZE', 'must be an integer ≥ 1'],
    [{ LOG_LEVEL: 'trace' }, 'LOG_LEVEL', 'must be one of error, warn, log, debug, verbose'],
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS', 'must be a comma-separated list of host:port'],
    [{ KAFKA_BROKERS: 'a:9092,b:99999' }, 'KAFKA_BROKERS', 'must be a comma-separated list of host:port'],
    [{ KAFKA_TELEMETRY_TOPIC: 'bad topic' }, 'KAFKA_TELEMETRY_TOPIC', 'must be a Kafka topic name'],
    [{ KAFKA_DEAD_LETTER_TOPIC: 'rework-ledger.telemetry.v1' }, 'KAFKA_DEAD_LETTER_TOPIC', 'must be a Kafka topic name (1–249 of A-Z a-z 0-9 . _ -), other than KAFKA_TELEMETRY_TOPIC'],
    [{ KAFKA_TOPIC_PARTITIONS: '0' }, 'KAFKA_TOPIC_PARTITIONS', 'must be an integer ≥ 1'],
    [{ KAFKA_SSL: 'tls' }, 'KAFKA_SSL', 'must be a boolean'],
    [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_MECHANISM', 'must be one of plain, scram-sha-256, scram-sha-512'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_USERNAME', 'is required when KAFKA_SASL_MECHANISM is set'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_PASSWORD', 'is required when KAFKA_SASL_MECHANISM is set'],
    [{ KAFKA_MAX_MESSAGE_BYTES: '1e6' }, 'KAFKA_MAX_MESSAGE_BYTES', 'must be an integer ≥ 1'],
    [{ HTTP_REQUEST_TIMEOUT_MS: '700000' }, 'HTTP_REQUEST_TIMEOUT_MS', 'must be an integer from 1000 to 600000'],
    [{ HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '20000' }, 'HTTP_HEADERS_TIMEOUT_MS', 'must be an integer from 1000 to 600000, at most HTTP_REQUEST_TIMEOUT_MS'],
    [{ HTTP_KEEP_ALIVE_TIMEOUT_MS: 'forever' }, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 'must be an integer from 1000 to 600000'],
    [{ RATE_LIMIT_INGEST_PER_MINUTE: '-1' }, 'RATE_LIMIT_INGEST_PER_MINUTE', 'must be an integer ≥ 0'],
    [{ RATE_LIMIT_QUERY_PER_MINUTE: 'lots' }, 'RATE_LIMIT_QUERY_PER_MINUTE', 'must be an integer ≥ 0'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN', 'must be at least 16 characters long'],
    [{ API_KEY_CACHE_SECONDS: '61' }, 'API_KEY_CACHE_SECONDS', 'must be an integer from 1 to 60'],
    [{ API_KEY_CACHE_SECONDS: '0' }, 'API_KEY_CACHE_SECONDS', 'must be an integer from 1 to 60'],
    [{ DATABASE_READ_POOL_SIZE: '0' }, 'DATABASE_READ_POOL_SIZE', 'must be an integer from 1 to 100'],
    [{ DATABASE_READ_POOL_SIZE: '101' }, 'DATABASE_READ_POOL_SIZE', 'must be an integer from 1 to 100'],
    [{ DATABASE_READ_POOL_SIZE: 'ten' }, 'DATABASE_READ_POOL_SIZE', 'must be an integer from 1 to 100 (got "ten")'],
    [{ DATABASE_POOL_TIMEOUT_MS: '999' }, 'DATABASE_POOL_TIMEOUT_MS', 'must be an integer from 1000 to 300000'],
    [{ DATABASE_POOL_TIMEOUT_MS: '300001' }, 'DATABASE_POOL_TIMEOUT_MS', 'must be an integer from 1000 to 300000'],
    [{ DATABASE_POOL_TIMEOUT_MS: '10s' }, 'DATABASE_POOL_TIMEOUT_MS', 'must be an integer from 1000 to 300000'],
    [{ EVENT_STORE: 'mongo' }, 'EVENT_STORE', 'must be one of postgres, eventstoredb'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING', 'is required when EVENT_STORE=eventstoredb'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'http://x' }, 'EVENTSTORE_CONNECTION_STRING', 'must be an esdb://, esdb+discover:// or kurrentdb:// connection string'],
  ])('given %j, then the error names %s and its rule', (env, variable, rule) => {
    const error = configError(env);
    expect(error.code).toBe('CONFIG.INVALID');
    expect(error.field).toBe(variable);
    expect(error.issues.map((issue) => issue.variable)).toEqual([variable]);
    expect(error.message).toContain(`${variable} ${rule}`);
  });

  it('given several bad variables, then the error lists each of them', () => {
    const error = configError({ PORT: 'x', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'nope' });
    expect(error.issues.map((issue) => issue.variable)).toEqual(['PORT', 'LOG_LEVEL', 'KAFKA_BROKERS']);
    expect(error.message).toMatch(/PORT .*\n.*LOG_LEVEL .*\n.*KAFKA_BROKERS /);
  });

  it('given a bad secret, then its value is not repeated in the error', () => {
    const error = configError({ API_BOOTSTRAP_KEY: 'hunter2' });
    expect(error.message).toContain('API_BOOTSTRAP_KEY');
    expect(error.message).not.toContain('hunter2');
  });

  it('given unrelated variables, then they are ignored', () => {
    expect(() => loadConfig({ PATH: '/usr/bin', HOME: '/root' })).not.toThrow();
  });

  it('describes the values in effect with secrets masked', () => {
    const described = loadConfig({ API_BOOTSTRAP_KEY: 'a-key-of-sixteen-chars', KAFKA_BROKERS: 'a:1,b:2' }).describe();
    expect(described['API_BOOTSTRAP_KEY']).toBe('(set)');
    expect(described['KAFKA_BROKERS']).toBe('a:1,b:2');
    expect(described['PORT']).toBe('3000');
    expect(described['DATABASE_URL']).toBeUndefined();
  });
});

describe('the configuration table', () => {
  const fields = Object.keys(CONFIG_DEFAULTS);
  const names = CONFIGURATION_VARIABLES.map((variable) => variable.name);

  it('lists each variable once, with the defaults the loader uses', () => {
    expect(new Set(names).size).toBe(names.length);
    for (const field of fields) {
      expect(CONFIGURATION_VARIABLES.find((variable) => variable.name === field)?.default).toBe(String(CONFIG_DEFAULTS[field as keyof typeof CONFIG_DEFAULTS]));
    }
  });

  it('lists every variable that AppConfig reads', () => {
    const read = Object.keys(loadConfig({ DATABASE_URL: 'postgres://x/y', EMBEDDED_PG_DATA_DIR: '/d', XDG_DATA_HOME: '/x', API_BOOTSTRAP_KEY: 'k'.repeat(16), KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_TENANT: 't', EVENTSTORE_CONNECTION_STRING: 'esdb://x', METRICS_TOKEN: 'm'.repeat(16), OTLP_GRPC_PORT: '4317' }));
    expect([...read].sort()).toEqual([...names].sort());
  });

  it('is documented in docs/configuration.md', () => {
    const doc = readFileSync(join(__dirname, '../../../../../docs/configuration.md'), 'utf8');
    for (const name of names) expect(doc).toContain(`\`${name}\``);
  });
});
