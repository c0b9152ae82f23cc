import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, ApiJsonResponse } from '@rework-ledger/http-kit';

/** OpenAPI of GET /health. */
export const HealthDocs = () =>
  applyDecorators(
    ApiTags('operations'),
    ApiOperation({ summary: 'Liveness', description: 'Answers 200 while the process lives, degraded or not (readiness: GET /health/ready); no key needed.' }),
    ApiJsonResponse(200, 'Up', { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } }, { up: { status: 'ok' } }),
  );

/** OpenAPI of GET /metrics. */
export const PrometheusDocs = () =>
  applyDecorators(
    ApiTags('operations'),
    ApiOperation({
      summary: 'Prometheus metrics',
      description:
        'Platform-wide ingestion counters, projection lag, parked events (by projection and error code, never by tenant), process metrics (no tenant label, no tenant total); text exposition format. No API key; when METRICS_TOKEN is set, "Authorization: Bearer <METRICS_TOKEN>".',
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

/** 401 and 403 of the routes that take a tenant's scope or `operator`. */
const AnyScopeAuth = (tenantScope: 'read' | 'admin') =>
  applyDecorators(
    ApiBearerAuth(),
    ApiSecurity('api-key'),
    ApiErrorResponse(401, 'No API key, or one that is not valid', {
      'missing key': { code: 'AUTH.MISSING_API_KEY', message: 'an API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key"' },
      'unknown key': { code: 'AUTH.INVALID_API_KEY', message: 'the API key is not valid' },
    }),
    ApiErrorResponse(403, `The API key has neither the "${tenantScope}" scope nor "operator", or names another tenant without "operator"`, {
      'missing scope': { code: 'AUTH.MISSING_SCOPE', message: `this API key lacks one of the scopes "${tenantScope}", "operator"` },
      'another tenant': { code: 'AUTH.MISSING_SCOPE', message: 'another tenant needs the "operator" scope' },
    }),
  );

const tenantQuery = (what: string) =>
  ApiQuery({ name: 'tenant', required: false, description: `operator keys only (or a tenant key naming its own tenant): ${what}`, example: 'acme' });

/** OpenAPI of GET /health/ready. */
export const ReadinessDocs = () =>
  applyDecorators(
    ApiTags('operations'),
    ApiOperation({
      summary: 'Readiness and degraded projections',
      description:
        'Always 200 (a degraded projection still serves its read model): `ready`, or `degraded` with each projection concerned and why — ' +
        '`stalled` (retrying after an infrastructure fault) or `parked-events` (events set aside). No tenant is named; no key needed.',
    }),
    ApiJsonResponse(
      200,
      'Ready or degraded',
      {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['ready', 'degraded'] },
          projections: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                state: { type: 'string', enum: ['running', 'standby', 'stopped'] },
                rebuilding: { type: 'boolean' },
                degraded: { type: 'boolean' },
                reasons: { type: 'array', items: { type: 'string', enum: ['stalled', 'parked-events'] } },
              },
            },
          },
        },
      },
      {
        ready: { status: 'ready', projections: [{ name: 'rework-metrics', state: 'running', rebuilding: false, degraded: false, reasons: [] }] },
        degraded: { status: 'degraded', projections: [{ name: 'rework-metrics', state: 'running', rebuilding: false, degraded: true, reasons: ['parked-events'] }] },
      },
    ),
  );

const lastParked = { code: 'FIELD.OUT_OF_RANGE', message: 'data.hourlyCost must not be greater than 100000', parkedAt: '2026-06-01T09:10:02.331Z', source: 'urn:acme:hris', eventId: 'assign-e-17-2026-06' };

const platformStatus = (name: string, rebuilding = false) => ({
  name,
  version: 3,
  state: 'running',
  rebuilding,
  position: { transactionId: '1045', globalPosition: '110233' },
  eventsApplied: 177_822,
  eventsBehind: 0,
  secondsBehind: 0,
  updatedAt: '2026-06-01T09:12:44.120Z',
  rebuild: { requestedAt: rebuilding ? '2026-06-01T09:12:40.001Z' : null, startedAt: rebuilding ? '2026-06-01T09:12:40.250Z' : null, eventsApplied: rebuilding ? 42_000 : null, lastRebuiltAt: '2026-05-30T16:02:11.512Z' },
  lastError: null,
  parked: rebuilding ? 0 : 1,
  lastParked: rebuilding ? null : { tenant: 'beta', ...lastParked },
  parkedByTenant: rebuilding ? {} : { beta: 1 },
});

const tenantStatus = (name: string, tenant: string, parked: boolean) => ({
  name,
  version: 3,
  tenant,
  state: 'running',
  rebuilding: false,
  eventsBehind: 0,
  secondsBehind: 0,
  stalled: false,
  rebuild: { requestedAt: null, startedAt: null, eventsApplied: null, lastRebuiltAt: '2026-05-30T16:02:11.512Z' },
  parked: parked ? 1 : 0,
  lastParked: parked ? lastParked : null,
});

/** OpenAPI of GET /v1/projections. */
export const ProjectionsDocs = () =>
  applyDecorators(
    ApiTags('operations'),
    ApiOperation({
      summary: 'Projection status',
      description:
        "A tenant's key (`read`): that tenant's status of each read model — its own lag (events counted up to 1000, and seconds), " +
        're-projection and parked events (count and the last one\'s code and message, never a payload) — without the platform\'s volume. ' +
        'An `operator` key: every read model with its checkpoint, global lag, rebuild state and every tenant\'s parked events, and the demo data loading progress; ' +
        'with `?tenant=`, that tenant\'s view.',
    }),
    tenantQuery("that tenant's view"),
    ApiJsonResponse(
      200,
      'The projections',
      {
        type: 'object',
        properties: {
          scope: { type: 'string', enum: ['tenant', 'platform'] },
          tenant: { type: 'string', description: 'the tenant shown (tenant view)' },
          projections: { type: 'array', items: { type: 'object' } },
          demoData: {
            type: 'object',
            nullable: true,
            description: "null in a tenant's view unless the demo tenant is that tenant",
            properties: { state: { type: 'string', enum: ['disabled', 'skipped', 'loading', 'loaded', 'failed'] }, tenant: { type: 'string', nullable: true }, eventsLoaded: { type: 'integer' } },
          },
        },
      },
      {
        'a tenant with a parked event': {
          scope: 'tenant',
          tenant: 'beta',
          projections: [tenantStatus('rework-metrics', 'beta', true), tenantStatus('training', 'beta', false)],
          demoData: null,
        },
        'operator, up to date': {
          scope: 'platform',
          projections: [platformStatus('rework-metrics'), platformStatus('training')],
          demoData: { state: 'loaded', tenant: 'demo', eventsLoaded: 177_822 },
        },
        'operator, rebuilding': {
          scope: 'platform',
          projections: [platformStatus('rework-metrics', true), platformStatus('training')],
          demoData: { state: 'disabled', tenant: null, eventsLoaded: 0 },
        },
      },
    ),
    AnyScopeAuth('read'),
  );

/** OpenAPI of POST /v1/projections/{name}/rebuild. */
export const RebuildDocs = () =>
  applyDecorators(
    ApiTags('operations'),
    ApiOperation({
      summary: 'Rebuild a read model (one tenant, or every tenant)',
      description:
        "A tenant's `admin` key re-projects that tenant only: built from its events beside the live read model, then its rows replaced in one " +
        "transaction (its metrics never go blank; other tenants are untouched); its parked events are decided again — how a parked event is retried after a fix. " +
        'An `operator` key rebuilds the whole read model beside the live one and swaps it in, or re-projects one tenant with `?tenant=`. Follow it in GET /v1/projections.',
    }),
    ApiParam({ name: 'name', example: 'rework-metrics' }),
    tenantQuery('re-project that tenant only'),
    ApiJsonResponse(
      201,
      'Rebuild requested',
      { type: 'object', properties: { name: { type: 'string' }, rebuildRequested: { type: 'boolean' } } },
      { requested: { name: 'rework-metrics', rebuildRequested: true } },
    ),
    ApiErrorResponse(404, 'No projection of that name', { 'unknown projection': { code: 'NOT_FOUND.PROJECTION', message: 'no projection is named nope', field: 'name' } }),
    AnyScopeAuth('admin'),
  );
