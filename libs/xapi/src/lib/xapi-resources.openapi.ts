import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, ApiJsonResponse, ApiKeyAuth } from '@rework-ledger/http-kit';

const VERSION_HEADER = ApiHeader({ name: 'X-Experience-API-Version', required: true, description: '1.0.x or 2.0.x', example: '1.0.3' });
const AGENT = JSON.stringify({ objectType: 'Agent', mbox: 'mailto:ann@acme.example' });
const ACTIVITY = 'https://lms.example.com/xapi/activities/prompting-for-analysts';
const BAD_PARAMETER = { 'bad parameter': { code: 'XAPI.INVALID_PARAMETER', message: 'activityId is required, an IRI', field: 'activityId' } };

/** OpenAPI of GET /v1/xapi/about. */
export const AboutDocs = () =>
  applyDecorators(
    ApiTags('xAPI'),
    ApiOperation({ summary: 'xAPI About resource: the versions this LRS speaks (no key needed)' }),
    ApiJsonResponse(200, 'The versions', { type: 'object', properties: { version: { type: 'array', items: { type: 'string' } } } }, { versions: { version: ['1.0.3', '2.0.0'], extensions: {} } }),
  );

/** The parameters that identify a document of each kind. */
const KEYS = {
  state: [
    ApiQuery({ name: 'activityId', required: true, example: ACTIVITY }),
    ApiQuery({ name: 'agent', required: true, example: AGENT }),
    ApiQuery({ name: 'registration', required: false, example: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7' }),
    ApiQuery({ name: 'stateId', required: false, example: 'bookmark' }),
  ],
  'activity-profile': [ApiQuery({ name: 'activityId', required: true, example: ACTIVITY }), ApiQuery({ name: 'profileId', required: false, example: 'settings' })],
  'agent-profile': [ApiQuery({ name: 'agent', required: true, example: AGENT }), ApiQuery({ name: 'profileId', required: false, example: 'preferences' })],
} as const;

/** OpenAPI of the document resources (state, activity profile, agent profile), one operation. */
export const DocumentDocs = (kind: keyof typeof KEYS, method: 'GET' | 'PUT' | 'POST' | 'DELETE', summary: string) => {
  const common = [ApiTags('xAPI'), ApiOperation({ summary }), VERSION_HEADER, ...KEYS[kind]];
  if (method === 'GET') {
    return applyDecorators(
      ...common,
      ApiQuery({ name: 'since', required: false, description: 'with no document id: only documents updated after', example: '2026-03-01T00:00:00Z' }),
      ApiJsonResponse(200, 'The document as stored (its media type, ETag, Last-Modified), or the ids of the documents', { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'string' } }] }, {
        'a document': { bookmark: 'page 7' },
        'the ids': ['bookmark', 'progress'],
      }),
      ApiErrorResponse(400, 'A parameter is missing or malformed', BAD_PARAMETER),
      ApiErrorResponse(404, 'No such document', { 'not found': { code: 'NOT_FOUND.DOCUMENT', message: 'no document has the stateId bookmark', field: 'stateId' } }),
      ApiKeyAuth('lrs'),
    );
  }
  return applyDecorators(
    ...common,
    ...(method === 'DELETE' ? [] : [ApiBody({ description: 'the document, of any media type (POST merges JSON objects)', schema: { type: 'object' }, examples: { 'a JSON document': { value: { bookmark: 'page 7' } } } })]),
    ApiResponse({ status: 204, description: 'Done (no body)' }),
    ApiErrorResponse(400, 'A parameter is missing or malformed, or a POST cannot merge', {
      ...BAD_PARAMETER,
      'not mergeable': { code: 'XAPI.NOT_MERGEABLE', message: 'POST merges JSON documents: the stored document and the one sent must both be application/json', field: 'content-type' },
    }),
    ApiErrorResponse(409, 'A PUT over an existing document without If-Match or If-None-Match', {
      conflict: { code: 'XAPI.CONFLICT', message: 'the document exists: send If-Match with its ETag (or If-None-Match: *) to say what you overwrite' },
    }),
    ApiErrorResponse(412, 'If-Match or If-None-Match does not hold', { 'precondition failed': { code: 'XAPI.PRECONDITION_FAILED', message: 'If-Match does not name the document as it is', field: 'If-Match' } }),
    ApiKeyAuth('ingest'),
  );
};

/** OpenAPI of GET /v1/xapi/agents. */
export const AgentsDocs = () =>
  applyDecorators(
    ApiTags('xAPI'),
    ApiOperation({ summary: 'xAPI Agents resource: the Person object of an agent (the names the statements gave it)' }),
    VERSION_HEADER,
    ApiQuery({ name: 'agent', required: true, example: AGENT }),
    ApiJsonResponse(200, 'The Person', { type: 'object' }, { person: { objectType: 'Person', name: ['Ann'], mbox: ['mailto:ann@acme.example'] } }),
    ApiErrorResponse(400, 'agent missing or not an Agent', { 'bad agent': { code: 'XAPI.INVALID_PARAMETER', message: 'agent is required, an Agent as JSON', field: 'agent' } }),
    ApiKeyAuth('lrs'),
  );

/** OpenAPI of GET /v1/xapi/activities. */
export const ActivitiesDocs = () =>
  applyDecorators(
    ApiTags('xAPI'),
    ApiOperation({ summary: 'xAPI Activities resource: the Activity object, its definition merged from every statement' }),
    VERSION_HEADER,
    ApiQuery({ name: 'activityId', required: true, example: ACTIVITY }),
    ApiJsonResponse(200, 'The Activity', { type: 'object' }, { activity: { objectType: 'Activity', id: ACTIVITY, definition: { name: { 'en-US': 'Prompting for analysts' } } } }),
    ApiErrorResponse(400, 'activityId missing or not an IRI', BAD_PARAMETER),
    ApiKeyAuth('lrs'),
  );
