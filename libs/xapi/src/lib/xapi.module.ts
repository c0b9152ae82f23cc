import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PG_POOL } from '@rework-ledger/runtime';
import type { Pool } from 'pg';
import { RecordStatementsHandler } from './record-statements.command';
import { TRAINING_LOOKUPS, type TrainingLookups } from './training-lookups.port';
import { XapiAboutController } from './xapi-about.controller';
import { XapiAgentsActivitiesController } from './xapi-agents-activities.controller';
import { XapiDocumentsController } from './xapi-documents.controller';
import { createPostgresDocumentStore, migrateXapiDocuments, XAPI_DOCUMENT_STORE } from './xapi-documents.store';
import { XapiStatementsController } from './xapi-statements.controller';
import { xapiVersionHeader } from './xapi-version';
import { createPostgresStatementStore, migrateXapi, XAPI_STATEMENT_STORE } from './xapi-statements.store';

/**
 * xAPI Learning Record Store under /v1/xapi: the About, Statement, document (state, activity and agent profiles),
 * Agents and Activities resources; it keeps every statement and turns
 * completions into `training.completed` events. The app also mounts {@link xapiAlternateRequestSyntax} and
 * {@link xapiVersionHeader} before its request gate. Needs the runtime (PG_POOL, EVENT_STORE, TypeORM, API_KEYS), CqrsModule.forRoot(),
 * and the training read model's lookups from the app.
 */
@Module({})
export class XapiModule implements NestModule {
  static register(lookups: TrainingLookups): DynamicModule {
    return {
      module: XapiModule,
      imports: [CqrsModule],
      controllers: [XapiAboutController, XapiStatementsController, XapiDocumentsController, XapiAgentsActivitiesController],
      providers: [
        { provide: TRAINING_LOOKUPS, useValue: lookups },
        {
          provide: XAPI_STATEMENT_STORE,
          inject: [PG_POOL],
          useFactory: async (pool: Pool) => {
            await migrateXapi(pool);
            return createPostgresStatementStore(pool);
          },
        },
        {
          provide: XAPI_DOCUMENT_STORE,
          inject: [PG_POOL],
          useFactory: async (pool: Pool) => {
            await migrateXapiDocuments(pool);
            return createPostgresDocumentStore(pool);
          },
        },
        RecordStatementsHandler,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(xapiVersionHeader).forRoutes(XapiAboutController, XapiStatementsController, XapiDocumentsController, XapiAgentsActivitiesController);
  }
}
