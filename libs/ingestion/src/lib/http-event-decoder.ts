import { MAX_BATCH_EVENTS } from '@rework-ledger/contracts';
import { LedgerError } from '@rework-ledger/domain';
import { type CloudEvent, HTTP } from 'cloudevents';

/** What an HTTP request to POST /v1/events carried: one event sent alone, or a batch. */
export type DecodedRequest = { kind: 'single'; event: unknown } | { kind: 'batch'; events: unknown[] };

/** A request that cannot be read at all; `status` is the HTTP status it deserves. */
export class RequestError extends LedgerError {
  constructor(
    code: string,
    message: string,
    readonly status: number,
    field?: string,
  ) {
    super(code, message, field);
  }
}

const REQUIRED_BINARY_HEADERS = ['ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time'];

/**
 * Reads CloudEvents from an HTTP request: structured (`application/cloudevents+json`), batched
 * (`application/cloudevents-batch+json`, or a JSON array as `application/json`), or binary mode (`ce-*` headers).
 */
export function decodeHttpEvents(headers: Readonly<Record<string, string | string[] | undefined>>, body: Buffer): DecodedRequest {
  const contentType = String(headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const isBinary = headers['ce-specversion'] !== undefined || headers['ce-id'] !== undefined;
  if (isBinary && contentType !== 'application/cloudevents+json' && contentType !== 'application/cloudevents-batch+json') {
    return { kind: 'single', event: decodeBinary(headers, body) };
  }
  const parsed = parseJson(body);
  if (contentType === 'application/cloudevents-batch+json' && !Array.isArray(parsed)) {
    throw new RequestError('REQUEST.NOT_A_BATCH', 'a batch must be a JSON array of CloudEvents', 400);
  }
  if (Array.isArray(parsed)) {
    if (parsed.length > MAX_BATCH_EVENTS) {
      throw new RequestError('REQUEST.TOO_MANY_EVENTS', `a batch holds at most ${MAX_BATCH_EVENTS} events; this one has ${parsed.length}`, 413);
    }
    return { kind: 'batch', events: parsed };
  }
  return { kind: 'single', event: parsed };
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new RequestError('REQUEST.EMPTY_BODY', 'the request body is empty', 400);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new RequestError('REQUEST.MALFORMED_JSON', `the body is not valid JSON: ${(error as Error).message}`, 400);
  }
}

/**
 * Binary mode through the CloudEvents SDK. The SDK fills in a missing id or time; the contract requires them, so
 * attributes absent from the headers are left absent for the validator to reject.
 */
function decodeBinary(headers: Readonly<Record<string, string | string[] | undefined>>, body: Buffer): Record<string, unknown> {
  const flatHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flatHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  if (!flatHeaders['content-type']) flatHeaders['content-type'] = 'application/json';
  let decoded: Record<string, unknown>;
  try {
    const event = HTTP.toEvent({ headers: flatHeaders, body: body.toString('utf8') }) as CloudEvent<unknown> | CloudEvent<unknown>[];
    const single = Array.isArray(event) ? event[0] : event;
    decoded = { ...(single.toJSON() as Record<string, unknown>) };
  } catch (error) {
    throw new RequestError('REQUEST.MALFORMED_EVENT', `the binary-mode event cannot be read: ${(error as Error).message}`, 400);
  }
  for (const header of REQUIRED_BINARY_HEADERS) {
    if (flatHeaders[header] === undefined) delete decoded[header.slice('ce-'.length)];
  }
  if (flatHeaders['ce-specversion'] !== undefined) decoded['specversion'] = flatHeaders['ce-specversion'];
  return decoded;
}
