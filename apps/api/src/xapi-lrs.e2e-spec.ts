import type { INestApplication } from '@nestjs/common';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { createApiApp } from './create-api-app';

const ATTEMPTED = 'http://adlnet.gov/expapi/verbs/attempted';
const EXPERIENCED = 'http://adlnet.gov/expapi/verbs/experienced';
const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
const ACTIVITY = 'https://lms.acme.test/activities/lrs-e2e';

let sequence = 0;
const uuid = () => `10000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('xAPI as a Learning Record Store (end to end: the API app, real HTTP and PostgreSQL)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  const keys = { ingest: { id: '', key: '' }, lrs: { id: '', key: '' }, admin: { id: '', key: '' } };

  type Answer = { status: number; headers: Headers; body: any };
  const send = async (method: string, path: string, options: { auth?: string; body?: string; headers?: Record<string, string>; version?: string | null } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...(options.version === null ? {} : { 'x-experience-api-version': options.version ?? '1.0.3' }), ...(options.headers ?? {}) };
    if (options.auth) headers['authorization'] = options.auth;
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: options.body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text && /^[[{]/.test(text) ? JSON.parse(text) : text };
  };
  const asLms = basic('lms', '');
  const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
  const statement = (id: string, verb = ATTEMPTED, extra: Record<string, unknown> = {}) => ({
    id,
    actor: { objectType: 'Agent', mbox: 'mailto:learner@acme.test', name: 'Learner' },
    verb: { id: verb, display: { 'en-US': 'did' } },
    object: { objectType: 'Activity', id: ACTIVITY },
    ...extra,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      { databaseUrl: database.url, defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } },
      ['error'],
      { rateLimits: { ingestPerMinute: 0, queryPerMinute: 0 } },
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    keys.ingest = await apiKeys.create('acme', ['ingest'], 'an LMS');
    keys.lrs = await apiKeys.create('acme', ['lrs'], 'an LRS reader');
    keys.admin = await apiKeys.create('acme', ['admin'], 'admin');
    // Starting the app (migrations, projection runners) on a busy 2-core machine takes more than jest's default 5 s.
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  describe('authentication an LMS can use', () => {
    it('given HTTP Basic with the key as password (user name free or the key id), then the statement is stored; Bearer still works', async () => {
      const [first, second, third] = [uuid(), uuid(), uuid()];
      expect(await send('POST', '/v1/xapi/statements', { auth: basic('lms', keys.ingest.key), ...json(statement(first)) })).toMatchObject({ status: 200, body: [first] });
      expect(await send('POST', '/v1/xapi/statements', { auth: basic(keys.ingest.id, keys.ingest.key), ...json(statement(second)) })).toMatchObject({ status: 200, body: [second] });
      expect(await send('POST', '/v1/xapi/statements', { auth: `Bearer ${keys.ingest.key}`, ...json(statement(third)) })).toMatchObject({ status: 200, body: [third] });
    });

    it('given a wrong key or none by Basic, then 401 with a Basic challenge and the version header', async () => {
      for (const auth of [basic('lms', 'rl_wrong'), asLms, undefined]) {
        const answer = await send('POST', '/v1/xapi/statements', { auth, ...json(statement(uuid())) });
        expect(answer.status).toBe(401);
        expect(answer.body.code).toMatch(/^AUTH\.(INVALID|MISSING)_API_KEY$/);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        expect(answer.headers.get('x-experience-api-version')).toBe('1.0.3');
      }
    });

    it('given Basic on a route outside xAPI, then it is not taken (401)', async () => {
      expect(await send('GET', '/v1/projections', { auth: basic('x', keys.admin.key) })).toMatchObject({ status: 401, body: { code: 'AUTH.MISSING_API_KEY' } });
    });

    it('given an ingest-only key, then reading statements is 403; an lrs or admin key reads them', async () => {
      const id = uuid();
      await send('PUT', `/v1/xapi/statements?statementId=${id}`, { auth: basic('lms', keys.ingest.key), ...json(statement(id)) });
      expect(await send('GET', `/v1/xapi/statements?statementId=${id}`, { auth: basic('lms', keys.ingest.key) })).toMatchObject({ status: 403, body: { code: 'AUTH.MISSING_SCOPE' } });
      expect(await send('GET', `/v1/xapi/statements?statementId=${id}`, { auth: basic('reader', keys.lrs.key) })).toMatchObject({ status: 200, body: { id } });
      expect(await send('GET', `/v1/xapi/statements?statementId=${id}`, { auth: `Bearer ${keys.admin.key}` })).toMatchObject({ status: 200, body: { id } });
      expect(await send('POST', '/v1/xapi/statements', { auth: basic('reader', keys.lrs.key), ...json(statement(uuid())) })).toMatchObject({ status: 403 });
    });
  });

  describe("xAPI 1.0.3's alternate request syntax", () => {
    const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

    it('given a form POST with method=PUT carrying Authorization, the version and the statement as content, then it is the PUT it carries', async () => {
      const id = uuid();
      const put = await send('POST', '/v1/xapi/statements?method=PUT', {
        version: null,
        ...form({ statementId: id, Authorization: basic('lms', keys.ingest.key), 'X-Experience-API-Version': '1.0.3', content: JSON.stringify(statement(id)) }),
      });
      expect(put.status).toBe(204);
      const read = await send('POST', '/v1/xapi/statements?method=GET', { version: null, ...form({ statementId: id, Authorization: basic('r', keys.lrs.key), 'X-Experience-API-Version': '1.0.3' }) });
      expect(read).toMatchObject({ status: 200, body: { id, verb: { id: ATTEMPTED } } });
    });

    it('given the syntax used wrongly, then 400: another query parameter, not a POST; a key without its scope, 403', async () => {
      const id = uuid();
      const fields = { statementId: id, Authorization: basic('lms', keys.ingest.key), 'X-Experience-API-Version': '1.0.3', content: JSON.stringify(statement(id)) };
      expect(await send('POST', `/v1/xapi/statements?method=PUT&statementId=${id}`, { version: null, ...form(fields) })).toMatchObject({ status: 400, body: { code: 'XAPI.ALTERNATE_SYNTAX' } });
      expect(await send('PUT', '/v1/xapi/statements?method=POST', { auth: basic('lms', keys.ingest.key), ...form(fields) })).toMatchObject({ status: 400, body: { code: 'XAPI.ALTERNATE_SYNTAX' } });
      // xAPI 2.0 removed the syntax.
      expect(await send('POST', '/v1/xapi/statements?method=PUT', { version: null, ...form({ ...fields, 'X-Experience-API-Version': '2.0.0' }) })).toMatchObject({ status: 400, body: { code: 'XAPI.ALTERNATE_SYNTAX' } });
      expect(await send('POST', '/v1/xapi/statements?method=GET', { version: null, ...form({ statementId: id, Authorization: basic('lms', keys.ingest.key), 'X-Experience-API-Version': '1.0.3' }) })).toMatchObject({
        status: 403,
      });
    });
  });

  describe('versions and the About resource', () => {
    it('given GET /about without a key or version, then the versions this LRS speaks, answered as the latest', async () => {
      const answer = await send('GET', '/v1/xapi/about', { version: null });
      expect(answer).toMatchObject({ status: 200, body: { version: ['1.0.3', '2.0.0'] } });
      expect(answer.headers.get('x-experience-api-version')).toBe('2.0.0');
    });

    it('given a 2.0 request, then it is taken and answered as 2.0.0; a request without the version or with 0.95 is a 400 that still carries the header (the latest)', async () => {
      const id = uuid();
      const answer = await send('PUT', `/v1/xapi/statements?statementId=${id}`, { version: '2.0.0', auth: basic('lms', keys.ingest.key), ...json(statement(id)) });
      expect(answer.status).toBe(204);
      expect(answer.headers.get('x-experience-api-version')).toBe('2.0.0');
      for (const version of [null, '0.95']) {
        const refused = await send('GET', `/v1/xapi/statements?statementId=${id}`, { version, auth: basic('r', keys.lrs.key) });
        expect(refused).toMatchObject({ status: 400, body: { code: 'XAPI.UNSUPPORTED_VERSION', field: 'X-Experience-API-Version' } });
        expect(refused.headers.get('x-experience-api-version')).toBe('2.0.0');
      }
    });
  });

  describe('reading statements', () => {
    const reader = () => basic('r', keys.lrs.key);

    it('given a statement stored, then GET by statementId answers it exactly as stored, with stored, authority, Last-Modified and consistent-through; HEAD the headers alone', async () => {
      const id = uuid();
      await send('PUT', `/v1/xapi/statements?statementId=${id}`, { auth: basic('lms', keys.ingest.key), ...json(statement(id, ATTEMPTED, { result: { score: { scaled: 0.5 } } })) });
      const answer = await send('GET', `/v1/xapi/statements?statementId=${id}`, { auth: reader() });
      expect(answer.body).toEqual({
        ...statement(id, ATTEMPTED, { result: { score: { scaled: 0.5 } } }),
        timestamp: answer.body.stored,
        stored: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        version: '1.0.0',
        authority: { objectType: 'Agent', name: 'API key', account: { homePage: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1\/api-keys$/), name: keys.ingest.id } },
      });
      expect(new Date(answer.headers.get('last-modified') ?? '').getTime()).toBe(Math.floor(Date.parse(answer.body.stored) / 1000) * 1000);
      expect(Date.parse(answer.headers.get('x-experience-api-consistent-through') ?? '')).toBeGreaterThanOrEqual(Date.parse(answer.body.stored));
      const head = await send('HEAD', `/v1/xapi/statements?statementId=${id}`, { auth: reader() });
      expect(head).toMatchObject({ status: 200, body: '' });
      expect(head.headers.get('last-modified')).toBe(answer.headers.get('last-modified'));
      expect(await send('GET', `/v1/xapi/statements?statementId=${uuid()}`, { auth: reader() })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND.STATEMENT' } });
    });

    it('given eleven statements of a verb, then a filtered query pages through them newest first with more, and ascending oldest first', async () => {
      const verb = `http://adlnet.gov/expapi/verbs/paged-${uuid()}`;
      // Ten and more statements: the store's order is numeric (a text order would put the 10th before the 2nd).
      const ids = Array.from({ length: 11 }, () => uuid());
      for (const id of ids) expect((await send('PUT', `/v1/xapi/statements?statementId=${id}`, { auth: basic('lms', keys.ingest.key), ...json(statement(id, verb)) })).status).toBe(204);
      const pages: string[][] = [];
      let path = `/v1/xapi/statements?verb=${encodeURIComponent(verb)}&limit=2`;
      while (path) {
        const page = await send("GET", path, { auth: reader() });
        expect(page.status).toBe(200);
        pages.push(page.body.statements.map((found: { id: string }) => found.id));
        path = page.body.more;
      }
      const newestFirst = [...ids].reverse();
      expect(pages).toEqual([0, 2, 4, 6, 8, 10].map((start) => newestFirst.slice(start, start + 2)));
      const ascending = await send('GET', `/v1/xapi/statements?verb=${encodeURIComponent(verb)}&ascending=true&format=ids`, { auth: reader() });
      expect(ascending.body.statements.map((found: { id: string }) => found.id)).toEqual(ids);
      expect(ascending.body.statements[0]).toMatchObject({ actor: { objectType: 'Agent', mbox: 'mailto:learner@acme.test' }, verb: { id: verb }, object: { id: ACTIVITY } });
      expect(ascending.body.statements[0].object).toEqual({ id: ACTIVITY });
      expect(ascending.body.statements[0].actor.name).toBeUndefined();
      expect(ascending.body.more).toBe('');
      const byAgent = await send('GET', `/v1/xapi/statements?verb=${encodeURIComponent(verb)}&agent=${encodeURIComponent(JSON.stringify({ mbox: 'mailto:learner@acme.test' }))}`, { auth: reader() });
      expect(byAgent.body.statements).toHaveLength(11);
      const nobody = await send('GET', `/v1/xapi/statements?verb=${encodeURIComponent(verb)}&agent=${encodeURIComponent(JSON.stringify({ mbox: 'mailto:nobody@acme.test' }))}`, { auth: reader() });
      expect(nobody.body).toEqual({ statements: [], more: '' });
      expect(await send('GET', '/v1/xapi/statements?colour=blue', { auth: reader() })).toMatchObject({ status: 400, body: { code: 'XAPI.INVALID_PARAMETER', field: 'colour' } });
    });

    it('given a voiding statement, then the target is found only by voidedStatementId and leaves the queries; the voiding statement is in them, also where the target would be', async () => {
      const [target, voiding] = [uuid(), uuid()];
      const verb = `http://adlnet.gov/expapi/verbs/voidable-${target}`;
      await send('PUT', `/v1/xapi/statements?statementId=${target}`, { auth: basic('lms', keys.ingest.key), ...json(statement(target, verb)) });
      const voidingStatement = { id: voiding, actor: { mbox: 'mailto:admin@acme.test' }, verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: target } };
      expect((await send('POST', '/v1/xapi/statements', { auth: basic('lms', keys.ingest.key), ...json(voidingStatement) })).status).toBe(200);
      expect(await send('GET', `/v1/xapi/statements?statementId=${target}`, { auth: reader() })).toMatchObject({ status: 404 });
      expect(await send('GET', `/v1/xapi/statements?voidedStatementId=${target}`, { auth: reader() })).toMatchObject({ status: 200, body: { id: target } });
      // A query that matches the voided statement answers, instead, the statements that target it: the voiding one.
      const byVerb = await send('GET', `/v1/xapi/statements?verb=${encodeURIComponent(verb)}`, { auth: reader() });
      expect(byVerb.body.statements.map((found: { id: string }) => found.id)).toEqual([voiding]);
      const voidings = await send('GET', `/v1/xapi/statements?verb=${encodeURIComponent(VOIDED)}`, { auth: reader() });
      expect(voidings.body.statements.map((found: { id: string }) => found.id)).toContain(voiding);
      expect((await send('GET', `/v1/xapi/statements?verb=${encodeURIComponent(EXPERIENCED)}`, { auth: reader() })).body.statements).toEqual([]);
    });
  });

  describe('document resources, agents and activities', () => {
    const agent = encodeURIComponent(JSON.stringify({ objectType: 'Agent', mbox: 'mailto:learner@acme.test' }));
    const state = (stateId?: string) => `/v1/xapi/activities/state?activityId=${encodeURIComponent(ACTIVITY)}&agent=${agent}${stateId ? `&stateId=${stateId}` : ''}`;
    const writer = () => basic('lms', keys.ingest.key);
    const reader = () => basic('r', keys.lrs.key);

    it('given a state document of any media type, then GET answers it as sent with its ETag and Last-Modified; the list names it; DELETE removes it', async () => {
      expect((await send('PUT', state('bookmark'), { auth: writer(), body: 'page 7', headers: { 'content-type': 'text/plain' } })).status).toBe(204);
      const read = await send('GET', state('bookmark'), { auth: reader() });
      expect(read).toMatchObject({ status: 200, body: 'page 7' });
      expect(read.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(read.headers.get('etag')).toBe(`"${require('node:crypto').createHash('sha1').update('page 7').digest('hex')}"`);
      expect(read.headers.get('last-modified')).toBeTruthy();
      expect(await send('GET', state(), { auth: reader() })).toMatchObject({ status: 200, body: ['bookmark'] });
      expect(await send('GET', state('bookmark'), { auth: writer() })).toMatchObject({ status: 403 });
      expect((await send('DELETE', state('bookmark'), { auth: writer() })).status).toBe(204);
      expect(await send('GET', state('bookmark'), { auth: reader() })).toMatchObject({ status: 404 });
    });

    it('given JSON state posted twice, then the documents are merged; a non-JSON document cannot be merged (400)', async () => {
      const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
      expect((await send('POST', state('progress'), { auth: writer(), ...json({ a: 1, b: 1 }) })).status).toBe(204);
      expect((await send('POST', state('progress'), { auth: writer(), ...json({ b: 2, c: 3 }) })).status).toBe(204);
      expect(await send('GET', state('progress'), { auth: reader() })).toMatchObject({ body: { a: 1, b: 2, c: 3 } });
      expect(await send('POST', state('progress'), { auth: writer(), body: 'text', headers: { 'content-type': 'text/plain' } })).toMatchObject({ status: 400, body: { code: 'XAPI.NOT_MERGEABLE' } });
      expect(await send('GET', `/v1/xapi/activities/state?activityId=${encodeURIComponent(ACTIVITY)}&agent=not-json&stateId=x`, { auth: reader() })).toMatchObject({ status: 400, body: { field: 'agent' } });
    });

    it('given an activity profile, then a PUT over it needs If-Match with its ETag (409 without, 412 with another) and If-None-Match: * fails once it exists', async () => {
      const profile = `/v1/xapi/activities/profile?activityId=${encodeURIComponent(ACTIVITY)}&profileId=settings`;
      const json = (value: unknown, headers: Record<string, string> = {}) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } });
      expect((await send('PUT', profile, { auth: writer(), ...json({ v: 1 }, { 'if-none-match': '*' }) })).status).toBe(204);
      const etag = (await send('GET', profile, { auth: reader() })).headers.get('etag') ?? '';
      expect(await send('PUT', profile, { auth: writer(), ...json({ v: 2 }) })).toMatchObject({ status: 409, body: { code: 'XAPI.CONFLICT' } });
      expect(await send('PUT', profile, { auth: writer(), ...json({ v: 2 }, { 'if-match': '"not-it"' }) })).toMatchObject({ status: 412 });
      expect(await send('PUT', profile, { auth: writer(), ...json({ v: 2 }, { 'if-none-match': '*' }) })).toMatchObject({ status: 412 });
      expect((await send('PUT', profile, { auth: writer(), ...json({ v: 2 }, { 'if-match': etag }) })).status).toBe(204);
      expect(await send('GET', profile, { auth: reader() })).toMatchObject({ body: { v: 2 } });
    });

    it('given an agent profile and statements, then the agent profile, the Person and the Activity are read back', async () => {
      const profile = `/v1/xapi/agents/profile?agent=${agent}&profileId=preferences`;
      // 1.0.3 wants a profile PUT to say what it expects, even of a new document; 2.0 only of an existing one.
      const document = { body: '{"lang":"fr"}', headers: { 'content-type': 'application/json' } };
      expect(await send('PUT', profile, { auth: writer(), ...document })).toMatchObject({ status: 400, body: { code: 'XAPI.PRECONDITION_REQUIRED' } });
      expect((await send('PUT', profile, { auth: writer(), version: '2.0.0', ...document })).status).toBe(204);
      expect(await send('GET', profile, { auth: reader() })).toMatchObject({ status: 200, body: { lang: 'fr' } });
      const id = uuid();
      const defined = { ...statement(id), object: { objectType: 'Activity', id: ACTIVITY, definition: { name: { 'en-US': 'LRS end to end' } } } };
      await send('PUT', `/v1/xapi/statements?statementId=${id}`, { auth: writer(), ...json(defined) });
      expect(await send('GET', `/v1/xapi/agents?agent=${agent}`, { auth: reader() })).toMatchObject({ status: 200, body: { objectType: 'Person', name: ['Learner'], mbox: ['mailto:learner@acme.test'] } });
      expect(await send('GET', `/v1/xapi/activities?activityId=${encodeURIComponent(ACTIVITY)}`, { auth: reader() })).toMatchObject({
        status: 200,
        body: { objectType: 'Activity', id: ACTIVITY, definition: { name: { 'en-US': 'LRS end to end' } } },
      });
      const french = uuid();
      await send('PUT', `/v1/xapi/statements?statementId=${french}`, { auth: writer(), ...json({ ...defined, id: french, object: { ...defined.object, definition: { name: { fr: 'LRS de bout en bout' } } } }) });
      expect((await send('GET', `/v1/xapi/activities?activityId=${encodeURIComponent(ACTIVITY)}`, { auth: reader() })).body.definition).toEqual({ name: { 'en-US': 'LRS end to end', fr: 'LRS de bout en bout' } });
      expect(await send('GET', `/v1/xapi/activities?activityId=${encodeURIComponent('http://nowhere.test/a')}`, { auth: reader() })).toMatchObject({ status: 200, body: { objectType: 'Activity', id: 'http://nowhere.test/a' } });
    });
  });

  describe('attachments and signed statements (multipart/mixed)', () => {
    const sha256 = (content: string) => require('node:crypto').createHash('sha256').update(content).digest('hex') as string;
    const multipart = (parts: { headers: Record<string, string>; body: string }[]) => {
      const boundary = 'lrs-e2e-boundary';
      const body = parts.map((part) => `--${boundary}\r\n${Object.entries(part.headers).map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n${part.body}\r\n`).join('') + `--${boundary}--\r\n`;
      return { body, headers: { 'content-type': `multipart/mixed; boundary=${boundary}` } };
    };
    const attachment = (content: string, extra: Record<string, unknown> = {}) => ({
      usageType: 'http://id.tincanapi.com/attachment/supporting_media',
      display: { 'en-US': 'notes' },
      contentType: 'text/plain',
      length: content.length,
      sha2: sha256(content),
      ...extra,
    });

    it('given a statement with its attachment as a part, then it is stored, and GET with attachments=true answers both as multipart/mixed', async () => {
      const id = uuid();
      const content = 'what the learner wrote';
      const sent = multipart([
        { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(statement(id, ATTEMPTED, { attachments: [attachment(content)] })) },
        { headers: { 'Content-Type': 'text/plain', 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': sha256(content) }, body: content },
      ]);
      expect(await send('POST', '/v1/xapi/statements', { auth: basic('lms', keys.ingest.key), ...sent })).toMatchObject({ status: 200, body: [id] });
      const read = await send('GET', `/v1/xapi/statements?statementId=${id}&attachments=true`, { auth: basic('r', keys.lrs.key) });
      expect(read.status).toBe(200);
      expect(read.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=/);
      expect(read.body).toContain(`X-Experience-API-Hash: ${sha256(content)}`);
      expect(read.body).toContain(content);
    });

    it('given an attachment without fileUrl sent as JSON, a part that is no attachment, or a signature that is no JWS, then 400', async () => {
      const content = 'orphan';
      const missing = await send('POST', '/v1/xapi/statements', { auth: basic('lms', keys.ingest.key), ...json(statement(uuid(), ATTEMPTED, { attachments: [attachment(content)] })) });
      expect(missing).toMatchObject({ status: 400, body: { code: 'XAPI.MISSING_ATTACHMENT' } });
      const extra = multipart([
        { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(statement(uuid())) },
        { headers: { 'Content-Type': 'text/plain', 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': sha256(content) }, body: content },
      ]);
      expect(await send('POST', '/v1/xapi/statements', { auth: basic('lms', keys.ingest.key), ...extra })).toMatchObject({ status: 400, body: { code: 'XAPI.INVALID_MULTIPART' } });
      const notJws = 'not a signature';
      const signed = multipart([
        {
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(statement(uuid(), ATTEMPTED, { attachments: [attachment(notJws, { usageType: 'http://adlnet.gov/expapi/attachments/signature', contentType: 'application/octet-stream' })] })),
        },
        { headers: { 'Content-Type': 'application/octet-stream', 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': sha256(notJws) }, body: notJws },
      ]);
      expect(await send('POST', '/v1/xapi/statements', { auth: basic('lms', keys.ingest.key), ...signed })).toMatchObject({ status: 400, body: { code: 'XAPI.INVALID_SIGNATURE' } });
    });
  });
});
