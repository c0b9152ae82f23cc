import { RequestError } from '@rework-ledger/ingestion';
import { type NextFunction, type Request, type Response, urlencoded } from 'express';
import { requestVersion } from './xapi-version';

/** Form fields of the alternate request syntax that are headers of the request they carry (xAPI 1.0.3, Communication 1.3). */
const HEADER_FIELDS = ['authorization', 'x-experience-api-version', 'content-type', 'content-length', 'if-match', 'if-none-match'];
const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];
const FORM = 'application/x-www-form-urlencoded';

const isXapiPath = (request: Request) => request.path.toLowerCase().startsWith('/v1/xapi/');

/**
 * xAPI 1.0.3's alternate request syntax, for clients that can only send a form POST (cross-origin browsers):
 * `POST …?method=PUT` with a form body whose `Authorization`, `X-Experience-API-Version`, `Content-Type`, `If-Match`…
 * fields are the headers, `content` the body and the other fields the query string. This middleware turns such a request
 * into the one it carries, before the request gate, so that the gate authenticates it, checks its media type and rate
 * limit as any other (only the form, at most `limitBytes`, is read before the key is known: its key is in it). A request
 * that uses the syntax wrongly (not a POST, another query parameter, not a form, an unknown method, a 2.0 request: 2.0
 * removed the syntax) is a 400.
 */
export function xapiAlternateRequestSyntax(limitBytes: number) {
  const readForm = urlencoded({ extended: false, limit: limitBytes, type: () => true });
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!isXapiPath(request)) return next();
    const query = request.query as Record<string, unknown>;
    if (query['method'] === undefined) return next();
    const method = String(query['method']).toUpperCase();
    const refuse = (code: string, message: string, field?: string) => next(new RequestError(code, message, 400, field));
    if (request.method !== 'POST') return refuse('XAPI.ALTERNATE_SYNTAX', `the alternate request syntax (?method=) is a POST; this request is a ${request.method}`, 'method');
    if (!METHODS.includes(method)) return refuse('XAPI.ALTERNATE_SYNTAX', `method must be one of ${METHODS.join(', ')}`, 'method');
    const others = Object.keys(query).filter((name) => name !== 'method');
    if (others.length > 0) return refuse('XAPI.ALTERNATE_SYNTAX', `the alternate request syntax takes only "method" in the query string; the others go in the form (${others.join(', ')})`, others[0]);
    const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== FORM && type !== '') return refuse('XAPI.ALTERNATE_SYNTAX', `the alternate request syntax sends a form (${FORM}); this body is ${type}`, 'content-type');

    readForm(request, response, (error?: unknown) => {
      if (error) return next(error);
      try {
        carry(request, method, (request.body ?? {}) as Record<string, unknown>);
        next();
      } catch (refusal) {
        next(refusal);
      }
    });
  };
}

/** Rewrites the form request into the request it carries: method, headers, query string and body. */
function carry(request: Request, method: string, form: Record<string, unknown>): void {
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(form)) {
    if (typeof value !== 'string') throw new RequestError('XAPI.ALTERNATE_SYNTAX', `the form field ${name} must be given once`, 400, name);
    fields.set(name, value);
  }
  const headers = request.headers as Record<string, string | string[] | undefined>;
  delete headers['content-length'];
  delete headers['content-type'];
  for (const [name, value] of fields) {
    if (!HEADER_FIELDS.includes(name.toLowerCase())) continue;
    headers[name.toLowerCase()] = value;
    fields.delete(name);
  }
  const content = fields.get('content');
  fields.delete('content');
  if (requestVersion(headers['x-experience-api-version']) === '2.0.0') {
    throw new RequestError('XAPI.ALTERNATE_SYNTAX', 'xAPI 2.0 has no alternate request syntax; send the request itself', 400, 'method');
  }
  const parameters = new URLSearchParams([...fields]);
  request.method = method;
  request.url = `${request.path}${parameters.size > 0 ? `?${parameters.toString()}` : ''}`;

  // The body parsers below see a finished stream and leave the body as set here.
  if (content === undefined || content === '') {
    delete headers['content-type'];
    delete headers['content-length'];
    request.body = undefined;
    return;
  }
  const type = headers['content-type'] ?? 'application/json';
  headers['content-type'] = type;
  headers['content-length'] = String(Buffer.byteLength(content));
  request.body = contentBody(String(type), content);
}

function contentBody(type: string, content: string): unknown {
  if (!/^application\/(.+\+)?json\b/i.test(type.trim())) return Buffer.from(content, 'utf8');
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    throw new RequestError('REQUEST.MALFORMED_JSON', `the content field is not valid JSON: ${(error as Error).message}`, 400, 'content');
  }
}
