import { createHash } from 'node:crypto';

/**
 * The one naming scheme of the EventStoreDB adapter. A port stream `streamId` of tenant `tenant` is the EventStoreDB
 * stream `rl/<tenant, URI-encoded>/<streamId>`: the encoded tenant holds no `/`, so the prefix `rl/<tenant>/` selects
 * exactly one tenant's streams (a server-side filter of `$all`) and `rl/` all of the ledger's, never `$` system
 * streams nor other applications' streams on a shared server.
 */
export const LEDGER_STREAM_PREFIX = 'rl/';

/** The EventStoreDB stream name of a tenant's stream. */
export function eventStoreDbStreamName(tenant: string, streamId: string): string {
  return `${tenantStreamPrefix(tenant)}${streamId}`;
}

/** The stream-name prefix of every stream of one tenant. */
export function tenantStreamPrefix(tenant: string): string {
  return `${LEDGER_STREAM_PREFIX}${encodeURIComponent(tenant)}/`;
}

/** The tenant and port stream id of an EventStoreDB stream name, or undefined for a stream outside the scheme. */
export function parseEventStoreDbStreamName(name: string): { tenant: string; streamId: string } | undefined {
  if (!name.startsWith(LEDGER_STREAM_PREFIX)) return undefined;
  const rest = name.slice(LEDGER_STREAM_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  try {
    return { tenant: decodeURIComponent(rest.slice(0, slash)), streamId: rest.slice(slash + 1) };
  } catch {
    return undefined;
  }
}

/** Namespace of the event ids (a fixed random UUID): UUID v5 of an event's identity within it. */
export const EVENT_ID_NAMESPACE = '8c5d3a4e-2f0b-4f6e-9a51-6b0f4d3c2e19';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** RFC 4122 UUID version 5 (SHA-1) of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The EventStoreDB event id of a CloudEvent: UUID v5 of `(tenant, source, id)`, so that a retry carries the same id and
 * the server recognises it (it keeps recent ids only: see README).
 */
export function eventStoreDbEventId(tenant: string, source: string, id: string): string {
  return uuidV5(JSON.stringify([tenant, source, id]), EVENT_ID_NAMESPACE);
}
