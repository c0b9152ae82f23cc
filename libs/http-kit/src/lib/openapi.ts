import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import type { ErrorShape } from '@rework-ledger/domain';
import type { Scope } from '@rework-ledger/tenancy';

/** The one error shape of every error response. */
export const ERROR_SCHEMA = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'stable code, e.g. AUTH.INVALID_API_KEY', example: 'REQUEST.INVALID_PARAMETER' },
    message: { type: 'string', description: 'what is wrong, for people' },
    field: { type: 'string', description: 'the offending field or parameter, when there is one' },
  },
} as const;

type Examples = Readonly<Record<string, unknown>>;

/** A JSON response with a schema and named examples (OpenAPI `content.application/json`). */
export function ApiJsonResponse(status: number, description: string, schema: object, examples: Examples, mediaType = 'application/json') {
  return ApiResponse({
    status,
    description,
    content: { [mediaType]: { schema, examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { summary: name, value }])) } },
  });
}

/** An error response, its examples in the one error shape `{code, message, field?}`. */
export function ApiErrorResponse(status: number, description: string, examples: Readonly<Record<string, ErrorShape>>) {
  return ApiJsonResponse(status, description, ERROR_SCHEMA, examples);
}

/** Errors of every route behind the API-key guard: no key, an unknown key (401), a key without the scope (403), over the rate limit (429). */
export function ApiKeyAuth(scope: Scope) {
  return applyDecorators(
    ApiBearerAuth(),
    ApiSecurity('api-key'),
    ApiErrorResponse(401, 'No API key, or one that is not valid', {
      'missing key': { code: 'AUTH.MISSING_API_KEY', message: 'an API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key"' },
      'unknown key': { code: 'AUTH.INVALID_API_KEY', message: 'the API key is not valid' },
    }),
    ApiErrorResponse(403, `The API key lacks the "${scope}" scope`, { 'missing scope': { code: 'AUTH.MISSING_SCOPE', message: `this API key lacks the "${scope}" scope` } }),
    ApiErrorResponse(429, "The tenant sent more requests to this route than its limit a minute (RATE_LIMIT_*); the Retry-After header says when to retry", {
      'rate limited': { code: 'RATE.LIMITED', message: 'too many requests; retry in 12 s' },
    }),
  );
}

/** The error of a malformed query parameter. */
export function ApiInvalidParameters(examples: Readonly<Record<string, ErrorShape>>) {
  return ApiErrorResponse(400, 'A query parameter is malformed or out of range; `field` names it', examples);
}
