import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '@rework-ledger/platform';
// Metric names are built in one place, libs/operations (scope:operations), outside what a scope:ingestion project may
// import. This composition root is the one exception until the registry moves to a shared library.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createKafkaMetrics, createMetricsRegistry } from '@rework-ledger/operations';
import { DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { IngestorModule } from './ingestor.module';

/** Builds the ingestor app (not yet listening) for a database and the Kafka settings of the configuration. */
export async function createIngestorApp(
  config: Pick<AppConfig, 'kafka' | 'tenantDefaults' | 'eventStore' | 'databasePools'>,
  databaseUrl: string,
  logLevels: LogLevel[] = ['log', 'warn', 'error'],
): Promise<INestApplication> {
  const kafka = config.kafka;
  if (!kafka) throw new Error('the ingestor needs KAFKA_BROKERS (see docs/ingestion.md)');
  const { registry } = createMetricsRegistry();
  const defaults = config.tenantDefaults;
  return NestFactory.create(
    IngestorModule.register({
      runtime: {
        databaseUrl,
        eventStore: config.eventStore,
        // The read pool keeps its default size here: it reads only keys and tenant settings.
        poolTimeoutMs: config.databasePools.timeoutMs,
        defaults: {
          currency: defaults.currency,
          defaultHourlyCost: defaults.hourlyCost,
          privacyMinGroupSize: defaults.privacyMinGroupSize,
          minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE,
        },
      },
      ingest: { kafka, metrics: createKafkaMetrics(registry) },
      registry,
    }),
    { logger: logLevels },
  );
}
