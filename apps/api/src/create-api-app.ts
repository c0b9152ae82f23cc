import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { MAX_BATCH_BYTES } from '@rework-ledger/contracts';
import { LedgerExceptionFilter } from '@rework-ledger/http-kit';
import { READ_MODEL_PROJECTIONS } from '@rework-ledger/read-models';
import type { RuntimeOptions } from '@rework-ledger/runtime';
import { json, raw } from 'express';
import { type ApiOptions, AppModule } from './app.module';

/**
 * Builds the API application (not yet listening): body limits, the one error shape, OpenAPI at /docs.
 * Used by main.ts and by the end-to-end tests, so both run the same app.
 */
export async function createApiApp(
  runtime: Omit<RuntimeOptions, 'projections'>,
  logLevels: LogLevel[] = ['log', 'warn', 'error'],
  options: ApiOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register({ ...runtime, projections: READ_MODEL_PROJECTIONS }, options), { bodyParser: false, logger: logLevels });
  // Ingestion reads the raw body: structured, batched and binary-mode CloudEvents each need their own parsing.
  app.use('/v1/events', raw({ type: () => true, limit: MAX_BATCH_BYTES }));
  app.use(json({ limit: MAX_BATCH_BYTES }));
  app.useGlobalFilters(new LedgerExceptionFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Rework Ledger API')
      .setDescription('Ingest AI-tool usage, rework and training events; query rework metrics. Event contract: docs/events.md.')
      .setVersion('v1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'An API key (rl_...)' })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key, in a header of its own' }, 'api-key')
      .build(),
    // Operations are tagged by what they are about (metrics, training...), not by controller class.
    { autoTagControllers: false },
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
