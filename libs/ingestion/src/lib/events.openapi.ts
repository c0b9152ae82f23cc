import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MAX_BATCH_EVENTS } from '@rework-ledger/contracts';
import { ApiErrorResponse, ApiJsonResponse, ApiKeyAuth, ERROR_SCHEMA } from '@rework-ledger/http-kit';

const CLOUD_EVENT_SCHEMA = {
  type: 'object',
  required: ['specversion', 'id', 'source', 'type', 'time', 'data'],
  description: 'A CloudEvent 1.0 of a type of event contract v1 (docs/events.md; JSON Schemas in docs/schemas/)',
  properties: {
    specversion: { type: 'string', enum: ['1.0'] },
    id: { type: 'string', maxLength: 200 },
    source: { type: 'string' },
    type: { type: 'string', example: 'ai.output.generated' },
    time: { type: 'string', format: 'date-time' },
    data: { type: 'object' },
  },
};

const INGEST_RESULT_SCHEMA = {
  type: 'object',
  properties: {
    accepted: { type: 'integer', description: 'events newly stored (without Kafka)' },
    queued: { type: 'integer', description: 'events written to the telemetry topic (with Kafka): the ingestor stores them' },
    duplicates: { type: 'integer', description: 'events already stored (same tenant, source and id): acknowledged, not stored again' },
    rejected: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, id: { type: 'string' }, errors: { type: 'array', items: ERROR_SCHEMA } } },
    },
  },
};

const generated = {
  specversion: '1.0',
  id: 'evt-1',
  source: 'urn:acme:copilot',
  type: 'ai.output.generated',
  time: '2026-03-02T10:00:00Z',
  data: { outputId: 'o-1', employeeId: 'e-17', teamId: 'platform', tool: 'copilot', model: 'gpt-4o', taskType: 'coding', minutesSavedEstimate: 25 },
};
const corrected = { ...generated, id: 'evt-2', type: 'ai.output.corrected', time: '2026-03-02T10:20:00Z', data: { outputId: 'o-1', employeeId: 'e-17', minutesSpent: 12, reason: 'wrong API' } };
const invalid = { ...generated, id: 'evt-3', type: 'ai.output.rewritten', data: { outputId: 'o-1', employeeId: 'e-17', minutesSpent: -5 } };
const outOfRange = { code: 'FIELD.OUT_OF_RANGE', message: 'data.minutesSpent must be a number from 0 to 1440', field: 'data.minutesSpent' };

/** OpenAPI of POST /v1/events. */
export const IngestEventsDocs = () =>
  applyDecorators(
    ApiTags('ingestion'),
    ApiOperation({
      summary: 'Send one CloudEvent or a batch',
      description:
        `Structured mode (one event), a batch (a JSON array of at most ${MAX_BATCH_EVENTS} events, at most 5 MiB), or binary mode (ce-* headers, the data as the body). ` +
        '(tenant, source, id) identifies an event: a repeat is acknowledged as a duplicate. Valid events of a batch are stored even when others are rejected; ' +
        'a single event sent alone that is invalid gets 400 with the same shape.',
    }),
    ApiConsumes('application/cloudevents+json', 'application/cloudevents-batch+json', 'application/json'),
    ApiHeader({ name: 'ce-specversion', required: false, description: 'binary mode: with ce-id, ce-source, ce-type, ce-time; the body is the data' }),
    ApiBody({
      schema: { oneOf: [CLOUD_EVENT_SCHEMA, { type: 'array', maxItems: MAX_BATCH_EVENTS, items: CLOUD_EVENT_SCHEMA }] },
      examples: {
        'one event (structured mode)': { value: generated },
        'a batch': { value: [generated, corrected] },
        'a batch with an invalid event (minutesSpent < 0)': { value: [generated, corrected, invalid] },
      },
    }),
    ApiJsonResponse(202, 'Stored (or queued), with every rejection and its reasons', INGEST_RESULT_SCHEMA, {
      'all stored': { accepted: 2, duplicates: 0, rejected: [] },
      'a retry': { accepted: 0, duplicates: 2, rejected: [] },
      'one rejected': { accepted: 2, duplicates: 0, rejected: [{ index: 2, id: 'evt-3', errors: [outOfRange] }] },
      'through Kafka (KAFKA_BROKERS set)': { queued: 2, rejected: [] },
    }),
    ApiJsonResponse(400, 'A single invalid event (the same shape, nothing stored), or a body that cannot be read', { oneOf: [INGEST_RESULT_SCHEMA, ERROR_SCHEMA] }, {
      'invalid single event': { accepted: 0, duplicates: 0, rejected: [{ index: 0, id: 'evt-3', errors: [outOfRange] }] },
      'unknown type': { accepted: 0, duplicates: 0, rejected: [{ index: 0, id: 'evt-9', errors: [{ code: 'EVENT.UNKNOWN_TYPE', message: 'unknown event type ai.output.liked', field: 'type' }] }] },
      'malformed JSON': { code: 'REQUEST.MALFORMED_JSON', message: 'the body is not valid JSON: Unexpected end of JSON input' },
    }),
    ApiErrorResponse(413, `More than ${MAX_BATCH_EVENTS} events or more than 5 MiB`, {
      'too many events': { code: 'REQUEST.TOO_MANY_EVENTS', message: `a batch holds at most ${MAX_BATCH_EVENTS} events; this one has 1001` },
      'too large': { code: 'REQUEST.TOO_LARGE', message: 'the request body is over the limit of 5242880 bytes' },
    }),
    ApiErrorResponse(
      503,
      'The event store (PostgreSQL) or, through Kafka, the broker is unavailable, or every database connection of the service stayed busy: nothing is known to be stored; retry after Retry-After (the request is idempotent)',
      {
        'log unavailable': { code: 'INGESTION.LOG_UNAVAILABLE', message: 'the event log did not acknowledge the events; retry the request (Connection timeout)' },
        'database unavailable': { code: 'DATABASE.UNAVAILABLE', message: 'the database is unavailable (restarting or unreachable); retry later, the request as it is' },
        'every connection busy': {
          code: 'DATABASE.OVERLOADED',
          message: 'no database connection of this service became free in time (all busy, or the database slow to accept new ones); retry later, the request as it is',
        },
      },
    ),
    ApiKeyAuth('ingest'),
  );
