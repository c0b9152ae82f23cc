import { RequestError } from '@rework-ledger/ingestion';
import { randomBytes } from 'node:crypto';

/** One part of a `multipart/mixed` body: its headers (names lower case) and its bytes. */
export type Part = Readonly<{ headers: Readonly<Record<string, string>>; body: Buffer }>;

const bad = (message: string) => new RequestError('XAPI.INVALID_MULTIPART', message, 400, 'content-type');

/** The boundary a `multipart/…` Content-Type declares (RFC 2046), or undefined. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

/** Splits a `multipart/mixed` body into its parts (RFC 2046 §5.1.1); a body that is not one is a 400. */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw bad('a multipart/mixed body needs a boundary in its Content-Type');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) throw bad('the body holds no part delimited by its boundary');
  for (;;) {
    const after = start + delimiter.length;
    if (body.subarray(after, after + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, after);
    if (next < 0) throw bad('the body does not end with its closing boundary');
    // The part is between the CRLF after the delimiter and the CRLF before the next one.
    const raw = body.subarray(body.indexOf('\r\n', after) + 2, next - 2);
    const split = raw.indexOf('\r\n\r\n');
    const headerText = split < 0 ? raw.toString('utf8') : raw.subarray(0, split).toString('utf8');
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4) });
    start = next;
  }
  return parts;
}

/** A `multipart/mixed` body of these parts, and its Content-Type. */
export function buildMultipart(parts: readonly Part[]): { body: Buffer; contentType: string } {
  const boundary = randomBytes(16).toString('hex');
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const headers = Object.entries(part.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${headers}\r\n`), part.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/mixed; boundary=${boundary}` };
}
