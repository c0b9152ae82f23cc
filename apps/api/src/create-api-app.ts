import type { INestApplication, LogLevel } from '@nestjs/common';
import { DiscoveryService, NestFactory, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { MAX_BATCH_BYTES } from '@rework-ledger/contracts';
import { createRateLimiter, createRequestGate, discoverRoutes, LedgerExceptionFilter } from '@rework-ledger/http-kit';
import { CONFIG_DEFAULTS, type HttpTimeouts } from '@rework-ledger/platform';
import { OTLP_HTTP_PREFIX, OTLP_MAX_BODY_BYTES, renderOtlpError } from '@rework-ledger/otlp';
import { READ_MODEL_PROJECTIONS } from '@rework-ledger/read-models';
import type { RuntimeOptions } from '@rework-ledger/runtime';
import { API_KEYS, type ApiKeys } from '@rework-ledger/tenancy';
import { XAPI_DOCUMENT_PATHS, xapiAlternateRequestSyntax, xapiVersionHeader } from '@rework-ledger/xapi';
import { json, raw } from 'express';
import type { Server } from 'node:http';
import { type ApiOptions, AppModule } from './app.module';
import { securityHeaders } from './security-headers';

const DEFAULT_TIMEOUTS: HttpTimeouts = {
  headersMs: CONFIG_DEFAULTS.HTTP_HEADERS_TIMEOUT_MS,
  requestMs: CONFIG_DEFAULTS.HTTP_REQUEST_TIMEOUT_MS,
  keepAliveMs: CONFIG_DEFAULTS.HTTP_KEEP_ALIVE_TIMEOUT_MS,
};

/** Cuts off clients that send their headers or body too slowly and closes idle keep-alive connections. */
function applyTimeouts(server: Server, timeouts: HttpTimeouts): void {
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // Node checks the two timeouts above every connectionsCheckingInterval (30 s by default): check every second, so
  // that a connection lives at most about its timeout. Read when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, timeouts.headersMs);
}

/**
 * Builds the API application (not yet listening): security headers, server timeouts, the request gate (405, bad
 * query strings, keys, rate limits and 415, all before a body is read), body limits, the one error shape, OpenAPI at /docs.
 * Used by main.ts and by the end-to-end tests, so both run the same app.
 */
export async function createApiApp(
  runtime: Omit<RuntimeOptions, 'projections'>,
  logLevels: LogLevel[] = ['log', 'warn', 'error'],
  options: ApiOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register({ ...runtime, projections: READ_MODEL_PROJECTIONS }, options), { bodyParser: false, logger: logLevels });
  applyTimeouts(app.getHttpServer() as Server, options.timeouts ?? DEFAULT_TIMEOUTS);
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  app.use(securityHeaders());
  // Every xAPI answer carries the version header, errors of the gate included. xAPI's alternate request syntax (a form
  // POST carrying the request's headers, Authorization included, and body) is turned into the request it carries, so
  // that the gate checks its key, scope and media type like any other.
  app.use('/v1/xapi', xapiVersionHeader);
  app.use(xapiAlternateRequestSyntax(MAX_BATCH_BYTES));
  const rateLimits = options.rateLimits ?? { ingestPerMinute: CONFIG_DEFAULTS.RATE_LIMIT_INGEST_PER_MINUTE, queryPerMinute: CONFIG_DEFAULTS.RATE_LIMIT_QUERY_PER_MINUTE };
  app.use(
    createRequestGate({
      routes: discoverRoutes(app.get(DiscoveryService), app.get(Reflector)),
      apiKeys: app.get<ApiKeys>(API_KEYS),
      limiter: createRateLimiter(),
      limits: rateLimits,
    }),
  );
  // Ingestion reads the raw body: structured, batched and binary-mode CloudEvents each need their own parsing.
  app.use('/v1/events', raw({ type: () => true, limit: MAX_BATCH_BYTES }));
  // OTLP bodies are protobuf or OTLP/JSON, decoded by the receiver; gzip is inflated here, the limit counts inflated bytes.
  app.use(OTLP_HTTP_PREFIX, raw({ type: () => true, limit: OTLP_MAX_BODY_BYTES }));
  // xAPI documents (state, profiles) are kept as sent, whatever their media type; statements with attachments come as
  // multipart/mixed, split by the xAPI library.
  app.use(XAPI_DOCUMENT_PATHS, raw({ type: () => true, limit: MAX_BATCH_BYTES }));
  app.use('/v1/xapi/statements', raw({ type: 'multipart/*', limit: MAX_BATCH_BYTES }));
  app.use(json({ limit: MAX_BATCH_BYTES }));
  // OTLP routes answer errors as OTLP's google.rpc.Status (its specification), every other route in the one shape.
  app.useGlobalFilters(new LedgerExceptionFilter([renderOtlpError]));
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
