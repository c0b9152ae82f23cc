import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '@rework-ledger/platform';
import { READ_MODEL_PROJECTIONS } from '@rework-ledger/read-models';
import { DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { ProjectorModule } from './projector.module';

/** Builds the projector app (not yet listening): every read model of the API, kept up to date from the event store. */
export async function createProjectorApp(
  config: Pick<AppConfig, 'tenantDefaults' | 'eventStore' | 'databasePools'>,
  databaseUrl: string,
  logLevels: LogLevel[] = ['log', 'warn', 'error'],
): Promise<INestApplication> {
  const defaults = config.tenantDefaults;
  return NestFactory.create(
    ProjectorModule.register({
      databaseUrl,
      defaults: {
        currency: defaults.currency,
        defaultHourlyCost: defaults.hourlyCost,
        privacyMinGroupSize: defaults.privacyMinGroupSize,
        minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE,
      },
      projections: READ_MODEL_PROJECTIONS,
      eventStore: config.eventStore,
      // The read pool keeps its default size here: it reads only keys and tenant settings.
      poolTimeoutMs: config.databasePools.timeoutMs,
    }),
    // A failed start-up rejects (main.ts logs why and exits) instead of Nest ending the process itself.
    { logger: logLevels, abortOnError: false },
  );
}
