import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, ApiJsonResponse, ApiKeyAuth, ERROR_SCHEMA } from '@rework-ledger/http-kit';

const STATEMENT_SCHEMA = {
  type: 'object',
  required: ['actor', 'verb', 'object'],
  description: 'An xAPI 1.0.3 statement. completed/satisfied verbs become training.completed; other verbs are stored and ignored.',
  properties: {
    id: { type: 'string', format: 'uuid', description: 'derived (UUID v5 of actor, verb, object and timestamp) when missing' },
    actor: { type: 'object', description: 'account {homePage, name} or mbox; resolved through employee.identity_linked' },
    verb: { type: 'object', properties: { id: { type: 'string', format: 'uri' } } },
    object: { type: 'object', properties: { id: { type: 'string', format: 'uri' } } },
    result: { type: 'object' },
    timestamp: { type: 'string', format: 'date-time', description: 'the completion time; the time stored when missing' },
  },
};

const completed = {
  id: '6fa459ea-ee8a-3ca4-894e-db77e160355e',
  actor: { objectType: 'Agent', account: { homePage: 'https://lms.example.com', name: 'e-17' } },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
  object: { objectType: 'Activity', id: 'https://lms.example.com/xapi/activities/prompting-for-analysts' },
  result: { score: { scaled: 0.92 }, completion: true },
  timestamp: '2026-03-04T15:20:00Z',
};

const VERSION_HEADER = ApiHeader({ name: 'X-Experience-API-Version', required: true, description: '1.0.x (answered as 1.0.3) or 2.0.x (answered as 2.0.0)', example: '1.0.3' });
const VERSION_ERROR = { code: 'XAPI.UNSUPPORTED_VERSION', message: 'this LRS speaks xAPI 1.0.3 and 2.0.0; X-Experience-API-Version was "0.95"', field: 'X-Experience-API-Version' };

/** OpenAPI of POST /v1/xapi/statements. */
export const PostStatementsDocs = () =>
  applyDecorators(
    ApiTags('xAPI'),
    ApiOperation({
      summary: 'Record xAPI statements (one or an array)',
      description: 'Learning Record Store semantics (xAPI 1.0.3): a batch with any invalid statement is rejected whole, with every reason.',
    }),
    VERSION_HEADER,
    ApiBody({ schema: { oneOf: [STATEMENT_SCHEMA, { type: 'array', items: STATEMENT_SCHEMA }] }, examples: { 'one statement': { value: completed }, 'an array': { value: [completed] } } }),
    ApiJsonResponse(200, 'The statement ids, in the order sent', { type: 'array', items: { type: 'string', format: 'uuid' } }, { ids: ['6fa459ea-ee8a-3ca4-894e-db77e160355e'] }),
    ApiJsonResponse(
      400,
      'At least one statement is invalid (none stored), or the request is',
      { oneOf: [{ ...ERROR_SCHEMA, properties: { ...ERROR_SCHEMA.properties, errors: { type: 'array', items: { type: 'object' } } } }, ERROR_SCHEMA] },
      {
        'invalid batch': {
          code: 'XAPI.INVALID_BATCH',
          message: '1 of 2 statements is invalid; none was stored',
          errors: [{ index: 1, code: 'XAPI.NOT_AN_ACTIVITY', message: 'the object of a completion must be an Activity', field: 'object.objectType' }],
        },
        'unsupported version': VERSION_ERROR,
      },
    ),
    ApiErrorResponse(413, 'Too many statements', { 'too many': { code: 'REQUEST.TOO_MANY_STATEMENTS', message: 'a batch holds at most 1000 statements; this one has 1200' } }),
    ApiKeyAuth('ingest'),
  );

/** OpenAPI of PUT /v1/xapi/statements. */
export const PutStatementDocs = () =>
  applyDecorators(
    ApiTags('xAPI'),
    ApiOperation({ summary: 'Record one statement under the id given as statementId' }),
    VERSION_HEADER,
    ApiQuery({ name: 'statementId', required: true, example: '6fa459ea-ee8a-3ca4-894e-db77e160355e' }),
    ApiBody({ schema: STATEMENT_SCHEMA, examples: { 'one statement': { value: completed } } }),
    ApiResponse({ status: 204, description: 'Recorded (no body)' }),
    ApiErrorResponse(400, 'statementId missing or not a UUID, or the statement is invalid', {
      'no statementId': { code: 'XAPI.INVALID_STATEMENT_ID', message: 'statementId must be given as a UUID', field: 'statementId' },
      'id mismatch': { code: 'XAPI.STATEMENT_ID_MISMATCH', message: 'the statement id differs from statementId', field: 'id' },
      'unsupported version': VERSION_ERROR,
    }),
    ApiKeyAuth('ingest'),
  );

/** OpenAPI of GET /v1/xapi/statements. */
export const GetStatementsDocs = () =>
  applyDecorators(
    ApiTags('xAPI'),
    ApiOperation({
      summary: 'Read statements: one by statementId or voidedStatementId, or a filtered page',
      description:
        'Filters: agent (JSON), verb, activity, registration, related_activities, related_agents, since, until, limit (at most 100), ascending, format (exact, ids, canonical). ' +
        'A page is {statements, more}: more is the path of the next page, empty at the end. Voided statements are found only by voidedStatementId. HEAD answers the headers alone.',
    }),
    VERSION_HEADER,
    ApiJsonResponse(200, 'One statement, or a StatementResult {statements, more}', { type: 'object' }, { statements: [completed], more: '' }),
    ApiErrorResponse(400, 'An unknown or malformed parameter', { 'bad parameter': { code: 'XAPI.INVALID_PARAMETER', message: 'verb must be an IRI', field: 'verb' } }),
    ApiErrorResponse(404, 'No such statement', { 'not found': { code: 'NOT_FOUND.STATEMENT', message: 'no statement has the id 6fa459ea-ee8a-3ca4-894e-db77e160355e', field: 'statementId' } }),
    ApiKeyAuth('lrs'),
  );
