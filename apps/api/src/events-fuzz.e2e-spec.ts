import type { INestApplication } from '@nestjs/common';
import { MAX_EXTRA_DATA_BYTES, MAX_NESTING_DEPTH } from '@rework-ledger/contracts';
import { createPool } from '@rework-ledger/platform';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import fc from 'fast-check';
import type { Pool } from 'pg';
import { createApiApp } from './create-api-app';

// Issue 14, finding 3: a NUL byte, a lone surrogate or 10,000-deep nesting in one event gave 500 and lost the valid
// events of its batch. POST /v1/events over real HTTP against a real PostgreSQL: whatever the body, the answer is 2xx
// or 4xx, never 5xx, and every valid event of a batch is stored.

let sequence = 0;
/** A valid event of a type drawn by the caller, with a fresh id (JSON text is built from it). */
const validEvent = (kind: number, extra: Record<string, unknown> = {}) => {
  const id = `fz-${++sequence}`;
  const base = { specversion: '1.0', id, source: 'urn:fuzz', time: '2026-03-02T10:00:00Z' };
  switch (kind % 4) {
    case 0:
      return { ...base, type: 'ai.output.generated', data: { outputId: `o-${id}`, employeeId: 'e1', tool: 'copilot', taskType: 'coding', minutesSavedEstimate: 525_600, ...extra } };
    case 1:
      return { ...base, type: 'ai.output.corrected', data: { outputId: `o-${id}`, employeeId: 'e1', minutesSpent: 1440, reason: 'line\nbreak', ...extra } };
    case 2:
      return { ...base, type: 'employee.assigned', data: { employeeId: `e-${id}`, teamId: 't', hourlyCost: 1e9, ...extra } };
    default:
      return { ...base, type: 'training.completed', data: { employeeId: 'e1', courseId: 'c1', score: 1, ...extra } };
  }
};

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/**
 * An odd event as JSON text: a valid one spoiled in one of the ways real producers (or attackers) spoil them, so that
 * it must be rejected. Built as text so that names like `__proto__` and escapes like `\ud800` reach the server as sent.
 */
const oddEventText = fc.record({ kind: fc.nat(3), how: fc.nat(13), junk: fc.jsonValue({ maxDepth: 3 }) }).map(({ kind, how, junk }) => {
  const text = JSON.stringify(validEvent(kind));
  const inData = (fragment: string) => text.replace('"data":{', `"data":{${fragment},`);
  switch (how) {
    case 0:
      return inData('"note":"a\\u0000b"');
    case 1:
      return inData('"note":"lone \\ud800 surrogate"');
    case 2:
      return text.replace('"id":"', '"id":"\\u0000');
    case 3:
      return text.replace('"source":"urn:fuzz"', '"source":"urn:\\udc00fuzz"');
    case 4:
      return inData(`"extra":${deep(10_000)}`);
    case 5:
      return inData(`"extra":${deep(MAX_NESTING_DEPTH + 1)}`);
    case 6:
      return inData(`"blob":${JSON.stringify('x'.repeat(MAX_EXTRA_DATA_BYTES))}`);
    case 7:
      return inData('"constructor":"x"');
    case 8:
      return inData('"__proto__":{"polluted":true}');
    case 9:
      return text.replace('"specversion":"1.0"', `"specversion":"1.0","ext":${deep(10_000)}`);
    case 10:
      // Contract fields spoiled (a tab and an escape in identifiers, numbers out of range): the last of each name wins.
      return JSON.stringify(validEvent(kind, { outputId: 'tab\there', employeeId: 'e\u001b[0m', minutesSpent: -1, hourlyCost: 1e308, score: 2 }));
    case 11:
      return text.replace('"time":"2026-03-02T10:00:00Z"', '"time":"0000-01-01T00:00:00Z"');
    case 12:
      return inData(`"${'\\u0000'}key":1`);
    default:
      // Arbitrary JSON where an event should be: never an object with an id, a type and data that pass.
      return JSON.stringify(junk === null || typeof junk !== 'object' || Array.isArray(junk) ? junk : { ...junk, specversion: '0.3' });
  }
});

type Item = { valid: true; id: string; text: string } | { valid: false; text: string };
const item: fc.Arbitrary<Item> = fc.oneof(
  fc.nat(3).map((kind): Item => {
    const event = validEvent(kind);
    return { valid: true, id: event.id, text: JSON.stringify(event) };
  }),
  oddEventText.map((text): Item => ({ valid: false, text })),
);

describe('POST /v1/events under fuzzing (HTTP → PostgreSQL)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let pool: Pool;
  let baseUrl: string;
  let key = '';

  const post = async (body: string | Uint8Array, contentType: string, extraHeaders: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType, ...extraHeaders }, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, body: json as { accepted?: number; rejected?: { index: number; errors: { code: string }[] }[] } };
  };
  const stored = async (ids: readonly string[]) =>
    Number((await pool.query(`SELECT count(*) FROM events WHERE tenant = 'fuzz' AND source = 'urn:fuzz' AND event_id = ANY($1)`, [ids])).rows[0].count);

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      { databaseUrl: database.url, defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    key = (await app.get<ApiKeys>(API_KEYS).create('fuzz', ['ingest'], 'fuzz')).key;
    pool = createPool(database.url);
  });

  afterAll(async () => {
    await pool?.end();
    await app?.close();
    await database?.drop();
  });

  it('given a batch with a NUL, a lone surrogate, 10,000-deep nesting and a field named constructor beside two valid events, then the two are stored and each odd one is rejected with its code', async () => {
    const valid = [validEvent(0), validEvent(1)];
    const odd = [
      JSON.stringify(validEvent(2, { note: 'a\u0000b' })),
      JSON.stringify(validEvent(3, { note: '\ud800' })),
      JSON.stringify(validEvent(0)).replace('"data":{', `"data":{"extra":${deep(10_000)},`),
      JSON.stringify(validEvent(1)).replace('"data":{', '"data":{"constructor":"x",'),
    ];
    const response = await post(`[${[JSON.stringify(valid[0]), ...odd, JSON.stringify(valid[1])].join(',')}]`, 'application/cloudevents-batch+json');
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBe(2);
    expect(response.body.rejected?.map((rejection) => [rejection.index, rejection.errors[0].code])).toEqual([
      [1, 'FIELD.INVALID_CHARACTERS'],
      [2, 'FIELD.INVALID_CHARACTERS'],
      [3, 'EVENT.TOO_DEEP'],
      [4, 'FIELD.RESERVED_NAME'],
    ]);
    expect(await stored(valid.map((event) => event.id))).toBe(2);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('given any batch mixing valid and odd events, then the answer is 202 and every valid event is stored, none of them rejected', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 12 }), fc.constantFrom('application/json', 'application/cloudevents-batch+json'), async (items, contentType) => {
        const response = await post(`[${items.map((entry) => entry.text).join(',')}]`, contentType);
        expect(response.status).toBe(202);
        const validIndexes = items.flatMap((entry, index) => (entry.valid ? [index] : []));
        const rejected = (response.body.rejected ?? []).map((rejection) => rejection.index);
        expect(rejected.filter((index) => validIndexes.includes(index))).toEqual([]);
        expect(rejected.length).toBe(items.length - validIndexes.length);
        expect(response.body.accepted).toBe(validIndexes.length);
        const ids = items.flatMap((entry) => (entry.valid ? [entry.id] : []));
        expect(await stored(ids)).toBe(ids.length);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('given any body at all, under any content type, then the answer is never a 5xx', async () => {
    const body = fc.oneof(
      item.map((entry) => entry.text),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null'),
      fc.uint8Array({ maxLength: 200 }),
      fc.constant(`[${deep(50_000)}]`),
      fc.constant('"\\ud800"'),
      fc.constant('[null, 1, "x", [], {}]'),
    );
    const contentType = fc.constantFrom('application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json', 'text/plain', 'application/octet-stream');
    // Binary mode: the attributes as ce-* headers (printable, as HTTP allows), the body as the data.
    const header = fc.oneof(fc.constantFrom('1.0', 'ai.output.generated', '2026-03-02T10:00:00Z', '0000-01-01T00:00:00Z', 'urn:fuzz'), fc.string({ unit: 'grapheme-ascii', maxLength: 30 }));
    const binary = fc.option(fc.record({ 'ce-specversion': header, 'ce-id': header, 'ce-source': header, 'ce-type': header, 'ce-time': header }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(body, contentType, binary, async (sent, type, headers) => {
        const { status } = await post(sent, type, headers);
        expect(status).toBeGreaterThanOrEqual(200);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
  }, 60_000);
});
