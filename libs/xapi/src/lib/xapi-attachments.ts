import { RequestError } from '@rework-ledger/ingestion';
import type { Request } from 'express';
import { parseMultipart } from './multipart';

/** The usage type of a statement's signature attachment (xAPI 1.0.3 Data 2.6). */
export const SIGNATURE_USAGE_TYPE = 'http://adlnet.gov/expapi/attachments/signature';
const SIGNATURE_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/** An attachment's content as sent in a multipart request, found by its SHA-2. */
export type AttachmentContent = Readonly<{ sha2: string; contentType: string; content: Buffer }>;

const bad = (code: string, message: string, field?: string) => new RequestError(code, message, 400, field);
const mediaType = (value: unknown) => String(value ?? '').split(';')[0].trim().toLowerCase();
type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The statements of a POST or PUT and the attachments sent with them (xAPI 1.0.3 Communication 1.5.2): a JSON body,
 * whose attachments must all be `fileUrl`s, or `multipart/mixed` — the statements as the first part
 * (`application/json`), then each attachment's content with `X-Experience-API-Hash` (its sha2) and
 * `Content-Transfer-Encoding: binary`. Every attachment without `fileUrl` needs its part, and every part an
 * attachment. Signatures are checked ({@link checkSignatures}). Anything else is a 400.
 */
export function readStatementsRequest(request: Request): { body: unknown; attachments: AttachmentContent[] } {
  const type = mediaType(request.headers['content-type']);
  if (type === 'application/json' || (type === '' && !Buffer.isBuffer(request.body))) {
    const body: unknown = request.body;
    checkParts(statementsOf(body), new Map());
    return { body, attachments: [] };
  }
  if (type !== 'multipart/mixed' || !Buffer.isBuffer(request.body)) {
    throw bad('XAPI.UNSUPPORTED_CONTENT_TYPE', `statements are sent as application/json or multipart/mixed (with attachments); this body is ${type}`, 'content-type');
  }
  const [first, ...others] = parseMultipart(request.body, String(request.headers['content-type']));
  if (!first || mediaType(first.headers['content-type']) !== 'application/json') throw bad('XAPI.INVALID_MULTIPART', 'the first part must hold the statements, as application/json');
  let body: unknown;
  try {
    body = JSON.parse(first.body.toString('utf8'));
  } catch (error) {
    throw bad('REQUEST.MALFORMED_JSON', `the statements part is not valid JSON: ${(error as Error).message}`);
  }
  const parts = new Map<string, AttachmentContent>();
  for (const part of others) {
    const sha2 = part.headers['x-experience-api-hash'];
    if (!sha2) throw bad('XAPI.INVALID_MULTIPART', 'every attachment part needs an X-Experience-API-Hash header');
    if ((part.headers['content-transfer-encoding'] ?? '').toLowerCase() !== 'binary') throw bad('XAPI.INVALID_MULTIPART', 'every attachment part needs Content-Transfer-Encoding: binary');
    parts.set(sha2, { sha2, contentType: part.headers['content-type'] ?? 'application/octet-stream', content: part.body });
  }
  checkParts(statementsOf(body), parts);
  return { body, attachments: [...parts.values()] };
}

function statementsOf(body: unknown): Json[] {
  return (Array.isArray(body) ? body : [body]).filter(isObject);
}

function attachmentsOf(statement: Json): Json[] {
  return Array.isArray(statement['attachments']) ? statement['attachments'].filter(isObject) : [];
}

/** Every attachment without fileUrl has its part, every part its attachment; signatures are valid. */
function checkParts(statements: readonly Json[], parts: ReadonlyMap<string, AttachmentContent>): void {
  const declared = new Set<string>();
  statements.forEach((statement, index) => {
    for (const attachment of attachmentsOf(statement)) {
      const sha2 = attachment['sha2'];
      if (typeof sha2 !== 'string') continue;
      declared.add(sha2);
      if (attachment['fileUrl'] === undefined && !parts.has(sha2)) {
        throw bad('XAPI.MISSING_ATTACHMENT', `statement ${index} has an attachment without fileUrl whose content (sha2 ${sha2}) was not sent as a part`, 'attachments');
      }
    }
    checkSignatures(statement, parts, index);
  });
  for (const sha2 of parts.keys()) if (!declared.has(sha2)) throw bad('XAPI.INVALID_MULTIPART', `a part (sha2 ${sha2}) is the content of no attachment`);
}

/**
 * A signed statement (xAPI 1.0.3 Data 2.6): its signature attachment is `application/octet-stream` content holding a
 * JWS in compact form, signed with RS256, RS384 or RS512, whose payload is the statement as it was before the
 * signature was added (compared without what the LRS or signing add: id when the payload has none, authority, stored,
 * version, attachments). The signature itself is not verified against a certificate.
 */
export function checkSignatures(statement: Json, parts: ReadonlyMap<string, AttachmentContent>, index: number): void {
  for (const attachment of attachmentsOf(statement)) {
    if (attachment['usageType'] !== SIGNATURE_USAGE_TYPE) continue;
    const fail = (message: string) => bad('XAPI.INVALID_SIGNATURE', `statement ${index}: ${message}`, 'attachments');
    if (mediaType(attachment['contentType']) !== 'application/octet-stream') throw fail('a signature attachment has the contentType application/octet-stream');
    const part = typeof attachment['sha2'] === 'string' ? parts.get(attachment['sha2']) : undefined;
    if (!part) throw fail('the signature must be sent as a part');
    const segments = part.content.toString('utf8').trim().split('.');
    if (segments.length !== 3) throw fail('the signature is not a JWS in compact serialization');
    let header: unknown;
    let payload: unknown;
    try {
      header = JSON.parse(Buffer.from(segments[0], 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(segments[1], 'base64url').toString('utf8'));
    } catch {
      throw fail('the JWS header or payload is not JSON');
    }
    if (!isObject(header) || !SIGNATURE_ALGORITHMS.includes(String(header['alg']))) throw fail(`the JWS algorithm must be one of ${SIGNATURE_ALGORITHMS.join(', ')}`);
    if (!isObject(payload) || canonical(signedPart(payload, payload)) !== canonical(signedPart(statement, payload))) throw fail('the JWS payload is not the statement that was signed');
  }
}

function signedPart(statement: Json, payload: Json): Json {
  const { authority: _authority, stored: _stored, version: _version, attachments: _attachments, ...rest } = statement;
  if (payload['id'] === undefined) delete rest['id'];
  // Durations compare to the hundredth of a second (xAPI 2.0 4.2.7): an LRS may have kept fewer digits.
  const result = rest['result'];
  if (isObject(result) && typeof result['duration'] === 'string') rest['result'] = { ...result, duration: result['duration'].replace(/(\d+)\.(\d{1,2})\d*S$/, (_, whole: string, hundredths: string) => `${whole}.${hundredths.padEnd(2, '0')}S`) };
  return rest;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isObject(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}
