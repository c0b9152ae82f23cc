import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, openDatabase } from '@rework-ledger/platform';
import { createIngestorApp } from './create-ingestor-app';

const logger = new Logger('ingestor');

/** The Kafka ingestor: `node -r ./tools/runtime-paths.js dist/apps/ingestor/src/main.js` (KAFKA_BROKERS required). */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.kafka) throw new ConfigError([{ variable: 'KAFKA_BROKERS', rule: 'is required by the ingestor' }]);
  const database = await openDatabase(config.database);
  logger.log(`database: ${database.description}`);
  const app = await createIngestorApp(config, database.url, config.logLevels);
  // SIGTERM: the batch in progress is finished and committed (or given up uncommitted), the group is left, then exit.
  const shutDown = async (signal: NodeJS.Signals) => {
    logger.log(`${signal}: stopping`);
    await app.close();
    await database.close();
    process.kill(process.pid, signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, (s) => void shutDown(s));
  const { port, host } = config.http;
  await app.listen(port, host);
  logger.log(`ingestor ready; health and metrics at http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/metrics`);
}

main().catch((error: unknown) => {
  logger.error(error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
