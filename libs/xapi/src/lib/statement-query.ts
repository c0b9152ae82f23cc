import { RequestError } from '@rework-ledger/ingestion';
import { isUUID } from 'class-validator';
import type { StatementFilter } from './xapi-statements.store';

/** At most this many statements a page (and the page size when `limit` is 0 or absent). */
export const MAX_PAGE = 100;

export type StatementFormat = 'exact' | 'ids' | 'canonical';

/** What a GET /statements asks for: one statement (by id, or a voided one by id), or a filtered page. */
export type StatementRequest =
  | Readonly<{ kind: 'one'; statementId: string; voided: boolean; format: StatementFormat }>
  | Readonly<{ kind: 'query'; filter: StatementFilter; limit: number; format: StatementFormat; afterSeq?: string; through?: Date }>;

const SINGLE = ['statementId', 'voidedStatementId'];
const QUERY = ['agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents', 'since', 'until', 'limit', 'ascending'];
const ALWAYS = ['format', 'attachments'];
const FORMATS: readonly StatementFormat[] = ['exact', 'ids', 'canonical'];
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;

const bad = (field: string, message: string) => new RequestError('XAPI.INVALID_PARAMETER', message, 400, field);

/**
 * Reads the parameters of GET /statements (xAPI 1.0.3 Communication 2.1.3): `statementId` or `voidedStatementId`
 * alone (with `format`, `attachments`), or the filter (agent, verb, activity, registration, related_*, since, until,
 * limit, ascending), or `more` alone (a cursor this LRS gave). Any other parameter, or a malformed value, is a 400.
 */
export function readStatementRequest(query: Readonly<Record<string, unknown>>): StatementRequest {
  const names = Object.keys(query);
  const unknown = names.filter((name) => ![...SINGLE, ...QUERY, ...ALWAYS, 'more'].includes(name));
  if (unknown.length > 0) throw bad(unknown[0], `GET /statements does not take ${unknown.join(', ')}`);
  const value = (name: string): string | undefined => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  const format = (value('format') ?? 'exact') as StatementFormat;
  if (!FORMATS.includes(format)) throw bad('format', `format must be one of ${FORMATS.join(', ')}`);
  const attachments = value('attachments');
  if (attachments !== undefined && !['true', 'false'].includes(attachments)) throw bad('attachments', 'attachments must be true or false');

  if (value('more') !== undefined) {
    if (names.some((name) => name !== 'more')) throw bad('more', 'more is given alone');
    return decodeCursor(value('more') as string);
  }
  const single = SINGLE.filter((name) => query[name] !== undefined);
  if (single.length > 0) {
    if (single.length > 1 || names.some((name) => QUERY.includes(name))) throw bad(single[0], `${single[0]} is given alone (with format and attachments at most)`);
    const id = value(single[0]) ?? '';
    if (!isUUID(id, 'all')) throw bad(single[0], `${single[0]} must be a UUID`);
    return { kind: 'one', statementId: id.toLowerCase(), voided: single[0] === 'voidedStatementId', format };
  }

  const filter: Record<string, unknown> = {};
  const agent = value('agent');
  if (agent !== undefined) filter['agent'] = agentIdentifier(agent, 'agent');
  const verb = value('verb');
  if (verb !== undefined) filter['verb'] = iri(verb, 'verb');
  const activity = value('activity');
  if (activity !== undefined) filter['activity'] = iri(activity, 'activity');
  const registration = value('registration');
  if (registration !== undefined) {
    if (!isUUID(registration, 'all')) throw bad('registration', 'registration must be a UUID');
    filter['registration'] = registration;
  }
  for (const [name, key] of [
    ['related_activities', 'relatedActivities'],
    ['related_agents', 'relatedAgents'],
    ['ascending', 'ascending'],
  ] as const) {
    const flag = value(name);
    if (flag === undefined) continue;
    if (!['true', 'false'].includes(flag)) throw bad(name, `${name} must be true or false`);
    filter[key] = flag === 'true';
  }
  for (const name of ['since', 'until'] as const) {
    const time = value(name);
    if (time === undefined) continue;
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(time) || Number.isNaN(Date.parse(time))) throw bad(name, `${name} must be an ISO 8601 timestamp`);
    filter[name] = new Date(time);
  }
  const limitText = value('limit') ?? '0';
  if (!/^\d+$/.test(limitText)) throw bad('limit', 'limit must be a non-negative integer');
  const limit = Number(limitText) === 0 ? MAX_PAGE : Math.min(Number(limitText), MAX_PAGE);
  return { kind: 'query', filter: filter as StatementFilter, limit, format };
}

/** The `more` of a page: the same query, after the last statement given, through the same time. */
export function encodeCursor(request: Extract<StatementRequest, { kind: 'query' }>, afterSeq: string, through: Date): string {
  const { filter } = request;
  const plain = {
    ...filter,
    ...(filter.since ? { since: filter.since.toISOString() } : {}),
    ...(filter.until ? { until: filter.until.toISOString() } : {}),
  };
  return Buffer.from(JSON.stringify({ f: plain, l: request.limit, o: request.format, a: afterSeq, t: through.toISOString() })).toString('base64url');
}

function decodeCursor(more: string): StatementRequest {
  try {
    const cursor = JSON.parse(Buffer.from(more, 'base64url').toString('utf8')) as { f: Record<string, unknown>; l: number; o: StatementFormat; a: string; t: string };
    const filter = { ...cursor.f, ...(cursor.f['since'] ? { since: new Date(String(cursor.f['since'])) } : {}), ...(cursor.f['until'] ? { until: new Date(String(cursor.f['until'])) } : {}) };
    if (!/^\d+$/.test(cursor.a) || !FORMATS.includes(cursor.o) || !Number.isInteger(cursor.l)) throw new Error('malformed');
    return { kind: 'query', filter: filter as StatementFilter, limit: cursor.l, format: cursor.o, afterSeq: cursor.a, through: new Date(cursor.t) };
  } catch {
    throw bad('more', 'more is not a cursor this LRS gave');
  }
}

function iri(value: string, field: string): string {
  if (!IRI.test(value)) throw bad(field, `${field} must be an IRI`);
  return value;
}

/** The identifier of an Agent or Group given as JSON: exactly one of mbox, mbox_sha1sum, openid, account. */
export function agentIdentifier(json: string, field: string): Record<string, unknown> {
  let agent: unknown;
  try {
    agent = JSON.parse(json);
  } catch {
    throw bad(field, `${field} must be an Agent as JSON`);
  }
  if (typeof agent !== 'object' || agent === null || Array.isArray(agent)) throw bad(field, `${field} must be an Agent as JSON`);
  const record = agent as Record<string, unknown>;
  const present = ['mbox', 'mbox_sha1sum', 'openid', 'account'].filter((name) => record[name] !== undefined);
  if (present.length !== 1) throw bad(field, `${field} must have exactly one identifier (mbox, mbox_sha1sum, openid or account)`);
  const [name] = present;
  if (name === 'account') {
    const account = record['account'] as Record<string, unknown> | null;
    if (typeof account !== 'object' || account === null || typeof account['homePage'] !== 'string' || typeof account['name'] !== 'string') {
      throw bad(field, `${field}.account must have homePage and name`);
    }
    return { account: { homePage: account['homePage'], name: account['name'] } };
  }
  if (typeof record[name] !== 'string') throw bad(field, `${field}.${name} must be a string`);
  if (name === 'mbox' && !/^mailto:[^\s@]+@[^\s@]+$/.test(record[name] as string)) throw bad(field, `${field}.mbox must be a mailto: IRI`);
  return { [name]: record[name] };
}

/** The `ids` format: agents and groups reduced to their identifiers (and type), activities and verbs to their id (xAPI 1.0.3 Communication 2.1.3). */
export function idsFormat(statement: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const reduce = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => reduce(item, key));
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    const type = record['objectType'];
    const isAgent = type === 'Agent' || type === 'Group' || ['mbox', 'mbox_sha1sum', 'openid', 'account'].some((name) => record[name] !== undefined);
    if (isAgent && key !== 'account') {
      const identifiers = Object.fromEntries(['mbox', 'mbox_sha1sum', 'openid', 'account'].filter((name) => record[name] !== undefined).map((name) => [name, record[name]]));
      if (Object.keys(identifiers).length > 0) return { ...(type ? { objectType: type } : {}), ...identifiers };
      return { objectType: type, member: reduce(record['member'], 'member') };
    }
    if (key === 'verb') return { id: record['id'] };
    if ((key === 'object' && (type === undefined || type === 'Activity')) || ['parent', 'grouping', 'category', 'other'].includes(key ?? '')) {
      return { id: record['id'] };
    }
    return Object.fromEntries(Object.entries(record).map(([name, inner]) => [name, reduce(inner, name)]));
  };
  return reduce(statement) as Record<string, unknown>;
}

/**
 * The `canonical` format: every language map (a verb's or attachment's `display`, a definition's or component's
 * `name` and `description`) reduced to one language — the first of `Accept-Language` (by weight) the map has, else
 * its first.
 */
export function canonicalFormat(statement: Readonly<Record<string, unknown>>, acceptLanguage: string | undefined): Record<string, unknown> {
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((entry, index) => {
      const [tag, ...parameters] = entry.trim().split(';');
      const weight = parameters.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim().toLowerCase(), weight: weight === undefined ? 1 : Number(weight), index };
    })
    .filter((entry) => entry.tag && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map((entry) => entry.tag);
  const pick = (map: Record<string, unknown>): Record<string, unknown> => {
    const tags = Object.keys(map);
    const chosen =
      wanted.map((tag) => tags.find((t) => t.toLowerCase() === tag) ?? tags.find((t) => t.toLowerCase().split('-')[0] === tag.split('-')[0])).find(Boolean) ??
      tags[0];
    return chosen === undefined ? {} : { [chosen]: map[chosen] };
  };
  const reduce = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => reduce(item));
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    if (key === 'display' || key === 'name' || key === 'description') return pick(record);
    return Object.fromEntries(Object.entries(record).map(([name, inner]) => [name, name === 'extensions' ? inner : reduce(inner, name)]));
  };
  return reduce(statement) as Record<string, unknown>;
}
