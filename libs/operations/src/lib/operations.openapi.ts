import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, ApiJsonResponse, ApiKeyAuth } from '@rework-ledger/http-kit';

/** OpenAPI of GET /health. */
export const HealthDocs = () =>
  applyDecorators(
    ApiTags('operations'),
    ApiOperation({ summary: 'Liveness', description: 'Answers as soon as the HTTP server is up; no key needed.' }),
    ApiJsonResponse(200, 'Up', { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } }, { up: { status: 'ok' } }),
  );

/** OpenAPI of GET /metrics. */
export const PrometheusDocs = () =>
  applyDecorators(
    ApiTags('operations'),
    ApiOperation({
      summary: 'Prometheus metrics',
      description:
        'Platform-wide ingestion counters, projection lag, process metrics (no tenant label, no tenant total); text exposition format. No API key; when METRICS_TOKEN is set, "Authorization: Bearer <METRICS_TOKEN>".',
    }),
    ApiJsonResponse(
      200,
      'Metrics in the Prometheus text format',
      { type: 'string' },
      {
        excerpt:
          '# HELP rework_ledger_projection_events_behind Events a projection has yet to apply\n# TYPE rework_ledger_projection_events_behind gauge\nrework_ledger_projection_events_behind{projection="rework-metrics"} 0\n',
      },
      'text/plain',
    ),
    ApiErrorResponse(401, 'METRICS_TOKEN is set and the request does not carry it', {
      'no token': { code: 'AUTH.INVALID_METRICS_TOKEN', message: 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>"' },
    }),
  );

const status = (name: string, rebuilding = false) => ({
  name,
  version: 3,
  state: 'running',
  rebuilding,
  position: { transactionId: '1045', globalPosition: '110233' },
  eventsApplied: 110_233,
  eventsBehind: 0,
  secondsBehind: 0,
  updatedAt: '2026-06-01T09:12:44.120Z',
  rebuild: { requestedAt: rebuilding ? '2026-06-01T09:12:40.001Z' : null, startedAt: rebuilding ? '2026-06-01T09:12:40.250Z' : null, eventsApplied: rebuilding ? 42_000 : null, lastRebuiltAt: '2026-05-30T16:02:11.512Z' },
  lastError: null,
});

/** OpenAPI of GET /v1/projections. */
export const ProjectionsDocs = () =>
  applyDecorators(
    ApiTags('operations'),
    ApiOperation({ summary: 'Projection status', description: 'Every read model with its checkpoint, lag and rebuild state, and the demo data loading progress.' }),
    ApiJsonResponse(
      200,
      'The projections',
      {
        type: 'object',
        properties: {
          projections: { type: 'array', items: { type: 'object' } },
          demoData: { type: 'object', properties: { state: { type: 'string', enum: ['disabled', 'skipped', 'loading', 'loaded', 'failed'] }, tenant: { type: 'string', nullable: true }, eventsLoaded: { type: 'integer' } } },
        },
      },
      {
        'up to date': { projections: [status('rework-metrics'), status('training')], demoData: { state: 'loaded', tenant: 'demo', eventsLoaded: 110_233 } },
        rebuilding: { projections: [status('rework-metrics', true), status('training')], demoData: { state: 'disabled', tenant: null, eventsLoaded: 0 } },
      },
    ),
    ApiKeyAuth('read'),
  );

/** OpenAPI of POST /v1/projections/{name}/rebuild. */
export const RebuildDocs = () =>
  applyDecorators(
    ApiTags('operations'),
    ApiOperation({
      summary: 'Rebuild a read model',
      description: 'Rebuilt from the event store beside the live read model, then swapped in one transaction: metrics never go blank. Follow it in GET /v1/projections.',
    }),
    ApiParam({ name: 'name', example: 'rework-metrics' }),
    ApiJsonResponse(
      201,
      'Rebuild requested',
      { type: 'object', properties: { name: { type: 'string' }, rebuildRequested: { type: 'boolean' } } },
      { requested: { name: 'rework-metrics', rebuildRequested: true } },
    ),
    ApiErrorResponse(404, 'No projection of that name', { 'unknown projection': { code: 'NOT_FOUND.PROJECTION', message: 'no projection is named nope', field: 'name' } }),
    ApiKeyAuth('admin'),
  );
