import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, openDatabase } from '@rework-ledger/platform';
import { createProjectorApp } from './create-projector-app';

const logger = new Logger('projector');

/** The projector: `node -r ./tools/runtime-paths.js dist/apps/projector/src/main.js` (health at /health). */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  logger.log(`database: ${database.description}; event store: ${config.eventStore.kind}`);
  const app = await createProjectorApp(config, database.url, config.logLevels);
  // SIGTERM: each runner finishes the batch in hand (its transaction commits or rolls back), then the locks are freed.
  const shutDown = async (signal: NodeJS.Signals) => {
    logger.log(`${signal}: stopping`);
    await app.close();
    await database.close();
    process.kill(process.pid, signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, (s) => void shutDown(s));
  const { port, host } = config.http;
  await app.listen(port, host);
  logger.log(`projector ready; health at http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/health`);
}

main().catch((error: unknown) => {
  logger.error(error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
