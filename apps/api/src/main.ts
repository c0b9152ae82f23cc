import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DEMO_DATA_LOADER, type DemoDataLoader } from '@rework-ledger/operations';
import { ConfigError, loadConfig, openDatabase } from '@rework-ledger/platform';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { join } from 'node:path';
import { ensureBootstrapKey, startupLines } from './bootstrap-key';
import { createApiApp } from './create-api-app';

const logger = new Logger('rework-ledger');

/** Where `npm start` keeps the demo API key, so that it stays valid across restarts (git-ignored). */
const LOCAL_STATE_DIR = join(__dirname, '..', '..', '..', '..', '.data');

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.database.kind === 'embedded') logger.log(`no DATABASE_URL: using an embedded PostgreSQL on port ${config.database.port}`);
  const database = await openDatabase(config.database);
  logger.log(`database: ${database.description}`);
  const defaults = config.tenantDefaults;
  const app = await createApiApp(
    {
      databaseUrl: database.url,
      defaults: {
        currency: defaults.currency,
        defaultHourlyCost: defaults.hourlyCost,
        privacyMinGroupSize: defaults.privacyMinGroupSize,
        minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE,
      },
      eventStore: config.eventStore,
      runProjections: config.runProjections,
      apiKeyCacheMs: config.apiKeyCacheMs,
      readPoolSize: config.databasePools.readPoolSize,
      poolTimeoutMs: config.databasePools.timeoutMs,
    },
    config.logLevels,
    // With KAFKA_BROKERS, POST /v1/events goes through the telemetry topic and the ingestor stores the events.
    {
      ...(config.kafka ? { kafka: config.kafka } : {}),
      timeouts: config.httpTimeouts,
      rateLimits: config.rateLimits,
      ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
      ...(config.otlpGrpcPort !== undefined ? { otlpGrpc: { host: config.http.host, port: config.otlpGrpcPort } } : {}),
    },
  );
  if (config.kafka) logger.log(`HTTP ingestion writes to Kafka topic ${config.kafka.telemetryTopic}; run the ingestor to store the events`);
  // Stop the embedded server (if this process started it) once Nest has closed its connections.
  const shutDown = async (signal: NodeJS.Signals) => {
    await app.close();
    await database.close();
    process.kill(process.pid, signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, (s) => void shutDown(s));
  const { port, host } = config.http;
  await app.listen(port, host);
  const bootstrap = await ensureBootstrapKey(app.get<ApiKeys>(API_KEYS), config.bootstrap, LOCAL_STATE_DIR);
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  for (const line of startupLines(bootstrap, config.bootstrap.tenant, url)) logger.log(line);

  if (config.demoData) {
    const loader = app.get<DemoDataLoader>(DEMO_DATA_LOADER);
    const today = new Date();
    const startOfToday = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
    void loader.load(config.bootstrap.tenant, startOfToday);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    logger.error(error.message);
  } else {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
});
