import { type DynamicModule, Inject, Injectable, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { MAX_BATCH_BYTES } from '@rework-ledger/contracts';
import { EVENT_STORE, type EventStore } from '@rework-ledger/event-store';
import { LedgerExceptionFilter } from '@rework-ledger/http-kit';
import { EventsStoredEvent, storeValidEvents, validateEvents } from '@rework-ledger/ingestion';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
// The test composes an app as apps/api does, and the app is what gives xAPI the training read model's queries.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { courseByActivityId, courseCompletions, trainingProjection } from '@rework-ledger/read-models';
import { PG_POOL, RuntimeModule } from '@rework-ledger/runtime';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { json } from 'express';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { derivedStatementId, XAPI_EVENT_SOURCE } from './statement-mapping';
import { validateStatement } from './xapi-statement';
import { XapiModule } from './xapi.module';

const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';
const SATISFIED = 'https://w3id.org/xapi/adl/verbs/satisfied';
const ATTEMPTED = 'http://adlnet.gov/expapi/verbs/attempted';
const LMS = 'https://lms.acme.test';
const PROMPTING = `${LMS}/activities/prompting-101`;
const FOREVER = new Date('2100-01-01T00:00:00Z');

const published: EventsStoredEvent[] = [];

/** What apps/api does after an append: wake the projection runners (and here, note the event). */
@Injectable()
@EventsHandler(EventsStoredEvent)
class WakeRunnersAfterEventsStored implements IEventHandler<EventsStoredEvent> {
  constructor(@Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[]) {}

  handle(event: EventsStoredEvent): void {
    published.push(event);
    for (const runner of this.runners) runner.wake();
  }
}

@Module({})
class XapiTestApp {
  static register(databaseUrl: string): DynamicModule {
    return {
      module: XapiTestApp,
      imports: [
        RuntimeModule.forRoot({
          databaseUrl,
          defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE },
          projections: [trainingProjection],
        }),
        CqrsModule.forRoot(),
        XapiModule.register({ courseByActivityId }),
      ],
      providers: [WakeRunnersAfterEventsStored],
    };
  }
}

let sequence = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;

// Each test waits for the training read model to catch up: on a machine shared with other jobs that takes seconds.
jest.setTimeout(30_000);

describe('POST /v1/xapi/statements end to end (HTTP → LRS table + event store → training read model)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let store: EventStore;
  let pool: Pool;
  const keys = { ingest: '', read: '', other: '' };

  const request = async (method: string, path: string, options: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { 'x-experience-api-version': '1.0.3', ...(options.headers ?? {}) };
    if (options.key) headers['authorization'] = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    return { status: response.status, version: response.headers.get('x-experience-api-version'), body: text ? JSON.parse(text) : undefined };
  };
  const post = (body: unknown, key = keys.ingest) => request('POST', '/v1/xapi/statements', { key, body });
  const caughtUp = async () => {
    for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(20_000);
  };
  const completions = async (courseId: string, tenant = 'acme') => {
    await caughtUp();
    return courseCompletions(app.get(DataSource), tenant, courseId, FOREVER);
  };
  // A reader sees an event once no older transaction is in flight on the server, in any of its databases (another test
  // run's, say): the read model at the head of what is committed is the sign that every acknowledged event is visible.
  const storedEvents = async (id: string, tenant = 'acme') => {
    await caughtUp();
    return (await store.readAll({ tenant, limit: 10_000 })).filter((event) => event.id === id);
  };
  const storedStatements = async (id: string, tenant = 'acme') =>
    (await pool.query('SELECT verb, statement, stored_at FROM xapi_statements WHERE tenant = $1 AND statement_id = $2', [tenant, id])).rows;
  /** Appends contract events for the tenant (as POST /v1/events would) and waits for the read model. */
  const send = async (events: readonly Record<string, unknown>[], tenant = 'acme') => {
    const { valid, rejected } = validateEvents(
      events.map((event) => ({ specversion: '1.0', id: `sent-${++sequence}`, source: 'urn:seed', time: '2026-01-01T00:00:00Z', ...event })),
      { fromCredentials: tenant },
    );
    expect(rejected).toEqual([]);
    await storeValidEvents(store, valid.map((v) => v.event));
    await caughtUp();
  };
  const counts = async () => {
    await caughtUp();
    return {
      statements: Number((await pool.query('SELECT count(*) FROM xapi_statements')).rows[0].count),
      events: (await store.readAll({ limit: 10_000 })).length,
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await NestFactory.create(XapiTestApp.register(database.url), { bodyParser: false, logger: ['error'] });
    app.use(json({ limit: MAX_BATCH_BYTES }));
    app.useGlobalFilters(new LedgerExceptionFilter());
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    store = app.get(EVENT_STORE);
    pool = app.get(PG_POOL);
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    keys.ingest = (await apiKeys.create('acme', ['ingest'], 'xapi e2e ingest')).key;
    keys.read = (await apiKeys.create('acme', ['read'], 'xapi e2e read')).key;
    keys.other = (await apiKeys.create('globex', ['ingest'], 'xapi e2e other tenant')).key;

    await send([
      { type: 'training.course_registered', data: { courseId: 'prompting', title: 'Prompting 101', skills: ['prompting'], costPerSeat: 120, currency: 'EUR', activityIds: [PROMPTING] } },
      { type: 'employee.identity_linked', data: { employeeId: 'alice', system: LMS, externalId: 'a.smith' } },
      { type: 'employee.identity_linked', data: { employeeId: 'bob', system: 'hris', externalId: 'mailto:bob@acme.test' } },
    ]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('given a completion by an account linked to an employee, on a course activity, then the event names the account and the read model counts it as that employee', async () => {
    const id = uuid();
    published.length = 0;
    const response = await post({
      id,
      actor: { objectType: 'Agent', name: 'Alice Smith', account: { homePage: LMS, name: 'a.smith' } },
      verb: { id: COMPLETED, display: { 'en-US': 'completed' } },
      object: { objectType: 'Activity', id: PROMPTING },
      result: { score: { scaled: 0.85 }, completion: true },
      timestamp: '2026-03-02T10:00:00Z',
    });
    expect(response).toEqual({ status: 200, version: '1.0.3', body: [id] });
    expect(published).toEqual([expect.objectContaining({ tenant: 'acme', count: 1 })]);
    expect(await completions('prompting')).toEqual([{ employeeId: 'alice', completedAt: new Date('2026-03-02T10:00:00Z') }]);
    const [event] = await storedEvents(id);
    expect(event).toMatchObject({ source: XAPI_EVENT_SOURCE, type: 'training.completed', data: { employeeId: 'a.smith', courseId: 'prompting', activityId: PROMPTING, score: 0.85 } });
    expect((await storedStatements(id))[0].statement).toMatchObject({ id, timestamp: '2026-03-02T10:00:00Z', actor: { name: 'Alice Smith' } });
  });

  it('given an mbox linked in any system and an account linked nowhere, then the mbox resolves through its link and account.name counts as its own person', async () => {
    const [satisfied, fallback] = [uuid(), uuid()];
    const response = await post([
      { id: satisfied, actor: { mbox: 'mailto:Bob@Acme.test' }, verb: { id: SATISFIED }, object: { id: PROMPTING }, timestamp: '2026-03-03T09:00:00Z' },
      { id: fallback, actor: { account: { homePage: 'https://other-lms.test', name: 'c.jones' } }, verb: { id: COMPLETED }, object: { id: `${LMS}/activities/unregistered` }, timestamp: '2026-03-03T09:30:00Z' },
    ]);
    expect(response).toEqual({ status: 200, version: '1.0.3', body: [satisfied, fallback] });
    expect(await completions('prompting')).toContainEqual({ employeeId: 'bob', completedAt: new Date('2026-03-03T09:00:00Z') });
    expect((await storedEvents(satisfied))[0].data).toMatchObject({ employeeId: 'bob@acme.test' });
    // An activity no course lists: the IRI is the courseId.
    expect(await completions(`${LMS}/activities/unregistered`)).toEqual([{ employeeId: 'c.jones', completedAt: new Date('2026-03-03T09:30:00Z') }]);
  });

  it('given a completion by an mbox no link names, then it is stored and counted under the normalised email, and a link sent afterwards re-attributes it', async () => {
    const id = uuid();
    const activity = `${LMS}/activities/late-link`;
    const response = await post({ id, actor: { mbox: 'mailto:Dora@Acme.test' }, verb: { id: COMPLETED }, object: { id: activity }, timestamp: '2026-03-06T10:00:00Z' });
    expect(response).toEqual({ status: 200, version: '1.0.3', body: [id] });
    expect(await storedStatements(id)).toHaveLength(1);
    expect(await completions(activity)).toEqual([{ employeeId: 'dora@acme.test', completedAt: new Date('2026-03-06T10:00:00Z') }]);
    expect((await storedEvents(id))[0].data).toEqual({ employeeId: 'dora@acme.test', courseId: activity, activityId: activity });
    await send([{ type: 'employee.identity_linked', data: { employeeId: 'dora', system: 'email', externalId: 'dora@acme.test' } }]);
    expect(await completions(activity)).toEqual([{ employeeId: 'dora', completedAt: new Date('2026-03-06T10:00:00Z') }]);
    // Another tenant's completion under the same email is not re-attributed by acme's link.
    expect((await post({ id, actor: { mbox: 'mailto:dora@acme.test' }, verb: { id: COMPLETED }, object: { id: activity }, timestamp: '2026-03-06T10:00:00Z' }, keys.other)).status).toBe(200);
    expect(await completions(activity, 'globex')).toEqual([{ employeeId: 'dora@acme.test', completedAt: new Date('2026-03-06T10:00:00Z') }]);
  });

  it('given a statement with a NUL or a lone surrogate in a field it keeps, then the batch gets 400 with the reason, not 500 (issue 14)', async () => {
    for (const response of ['a\u0000b', 'lone \ud800']) {
      const answer = await post({ actor: { mbox: 'mailto:nobody@acme.test' }, verb: { id: ATTEMPTED }, object: { id: PROMPTING }, result: { response } });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain('FIELD.INVALID_CHARACTERS');
    }
  });

  it('given another verb, then the statement is stored and no event is made (its actor need not be known)', async () => {
    const id = uuid();
    const before = await counts();
    const response = await post({ id, actor: { mbox: 'mailto:nobody@acme.test' }, verb: { id: ATTEMPTED }, object: { id: PROMPTING } });
    expect(response).toEqual({ status: 200, version: '1.0.3', body: [id] });
    expect(await storedStatements(id)).toEqual([expect.objectContaining({ verb: ATTEMPTED })]);
    expect(await storedEvents(id)).toEqual([]);
    expect(await counts()).toEqual({ statements: before.statements + 1, events: before.events });
  });

  it('given a statement without id sent twice, then both answers give the same derived id, and it is stored once', async () => {
    const statement = { actor: { account: { homePage: LMS, name: 'a.smith' } }, verb: { id: COMPLETED }, object: { id: `${LMS}/activities/review` }, timestamp: '2026-03-04T08:00:00Z' };
    const validation = validateStatement(statement);
    const expectedId = validation.ok ? derivedStatementId(validation.statement, new Date(0)) : 'invalid';
    published.length = 0;
    const first = await post(statement);
    const second = await post([statement, statement]);
    expect(first).toEqual({ status: 200, version: '1.0.3', body: [expectedId] });
    expect(second.body).toEqual([expectedId, expectedId]);
    expect(expectedId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await storedStatements(expectedId)).toHaveLength(1);
    expect(await storedEvents(expectedId)).toHaveLength(1);
    expect(published.map((event) => event.count)).toEqual([1]);
    expect(await completions(`${LMS}/activities/review`)).toHaveLength(1);
  });

  it('given a completion without timestamp, then its time is the time it was stored', async () => {
    const id = uuid();
    const before = Date.now();
    expect((await post({ id, actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: COMPLETED }, object: { id: `${LMS}/activities/untimed` } })).status).toBe(200);
    const after = Date.now();
    const [row] = await storedStatements(id);
    expect(row.statement.timestamp).toBe(row.statement.stored);
    expect(new Date(row.statement.stored).getTime()).toBe(new Date(row.stored_at).getTime());
    const [completion] = await completions(`${LMS}/activities/untimed`);
    expect(completion.employeeId).toBe('bob');
    expect(completion.completedAt.toISOString()).toBe(row.statement.timestamp);
    expect(completion.completedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(completion.completedAt.getTime()).toBeLessThanOrEqual(after);
  });

  it('given a batch with invalid statements, then 400 lists every reason by index and nothing of the batch is stored', async () => {
    const validId = uuid();
    const before = await counts();
    const valid = { id: validId, actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: COMPLETED }, object: { id: PROMPTING } };
    // (An unlinked learner is no reason: it is counted under its normalised identifier until a link arrives.)
    const ledgerRefuses = [
      { actor: { account: { homePage: LMS, name: 'a.smith' } }, verb: { id: COMPLETED }, object: { id: `${LMS}/${'x'.repeat(250)}` } },
      { id: validId, actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: ATTEMPTED }, object: { id: PROMPTING } },
    ];
    // The xAPI rules are checked first (at the edge, by the request's version): a statement that breaks them is all
    // the answer names.
    const broken = await post([
      valid,
      { actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: 'completed' }, object: { id: PROMPTING }, timestamp: 'yesterday' },
      { actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: COMPLETED }, object: { id: PROMPTING }, result: { score: { scaled: 2 } } },
      ...ledgerRefuses,
    ]);
    expect(broken.status).toBe(400);
    expect(broken.version).toBe('1.0.3');
    expect(broken.body).toEqual({
      code: 'XAPI.INVALID_BATCH',
      message: '2 of 5 statements are invalid; none was stored',
      errors: [
        { index: 1, code: 'FIELD.NOT_AN_IRI', message: 'verb.id must be an IRI', field: 'verb.id' },
        { index: 1, code: 'FIELD.NOT_RFC3339', message: 'timestamp must be an ISO 8601 timestamp', field: 'timestamp' },
        { index: 2, code: expect.any(String), message: expect.any(String), field: 'result.score.scaled' },
      ],
    });
    // Then what the ledger needs of each statement: its learner, the event it makes, an id once per batch.
    const response = await post([valid, ...ledgerRefuses]);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      code: 'XAPI.INVALID_BATCH',
      message: '2 of 3 statements are invalid; none was stored',
      errors: [
        { index: 1, code: 'FIELD.TOO_LONG', message: expect.stringMatching(/^as training\.completed: data\.courseId must be shorter than or equal to 200 characters/), field: 'object.id' },
        { index: 2, code: 'XAPI.DUPLICATE_ID', message: 'statement 0 of this batch has the same id', field: 'id' },
      ],
    });
    expect(await counts()).toEqual(before);
    expect(await storedStatements(validId)).toEqual([]);
  });

  it('given a statement id already stored, then the first statement stays, and its event is appended if it was missing', async () => {
    const id = uuid();
    // As if an earlier request had stored the statement and failed before appending its event.
    const first = { id, actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: COMPLETED }, object: { id: `${LMS}/activities/healed` }, timestamp: '2026-02-01T00:00:00Z', stored: '2026-02-01T00:00:05.000Z' };
    await pool.query(`INSERT INTO xapi_statements (tenant, statement_id, verb, statement, stored_at) VALUES ('acme', $1, $2, $3, $4)`, [id, COMPLETED, first, first.stored]);
    const response = await post({ ...first, timestamp: '2026-03-01T00:00:00Z', stored: undefined });
    expect(response).toEqual({ status: 200, version: '1.0.3', body: [id] });
    expect((await storedStatements(id))[0].statement.timestamp).toBe('2026-02-01T00:00:00Z');
    expect(await completions(`${LMS}/activities/healed`)).toEqual([{ employeeId: 'bob', completedAt: new Date('2026-02-01T00:00:00Z') }]);
  });

  it('given the same statement id in another tenant, then each tenant keeps its own, counted through its own links', async () => {
    const id = uuid();
    const statement = { id, actor: { account: { homePage: LMS, name: 'a.smith' } }, verb: { id: COMPLETED }, object: { id: PROMPTING }, timestamp: '2026-03-05T00:00:00Z' };
    expect((await post(statement)).status).toBe(200);
    expect((await post(statement, keys.other)).status).toBe(200);
    expect((await storedEvents(id, 'globex'))[0].data).toEqual({ employeeId: 'a.smith', courseId: PROMPTING, activityId: PROMPTING });
    expect((await storedEvents(id, 'acme'))[0].data).toMatchObject({ employeeId: 'a.smith', courseId: 'prompting' });
    expect(await completions(PROMPTING, 'globex')).toEqual([{ employeeId: 'a.smith', completedAt: new Date('2026-03-05T00:00:00Z') }]);
    expect(await completions('prompting')).toContainEqual({ employeeId: 'alice', completedAt: new Date('2026-03-05T00:00:00Z') });
  });

  it('given a completion voided, then its completion is retracted (training.completion_retracted), so the course counts it no more; a retry of the voiding is a duplicate', async () => {
    const completedId = uuid();
    const activity = `${LMS}/activities/voided-course`;
    const completion = { id: completedId, actor: { mbox: 'mailto:Vera@Acme.test' }, verb: { id: COMPLETED }, object: { id: activity }, timestamp: '2026-03-06T09:00:00Z' };
    expect((await post(completion)).status).toBe(200);
    expect(await completions(activity)).toEqual([{ employeeId: 'vera@acme.test', completedAt: new Date('2026-03-06T09:00:00Z') }]);
    const voidingId = uuid();
    const voiding = { id: voidingId, actor: { mbox: 'mailto:admin@lms.test' }, verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: completedId } };
    expect((await post(voiding)).status).toBe(200);
    expect((await post(voiding)).status).toBe(200);
    // (The read model first: once it has caught up, the events it applied are visible to a read of the log too.)
    expect(await completions(activity)).toEqual([]);
    const retractions = (await store.readAll({ tenant: 'acme', limit: 10_000 })).filter((event) => event.type === 'training.completion_retracted' && (event.data as { courseId: string }).courseId === activity);
    expect(retractions.map((event) => [event.time.toISOString(), event.data])).toEqual([['2026-03-06T09:00:00.001Z', { employeeId: 'vera@acme.test', courseId: activity }]]);
    // A voiding of a statement that is no completion retracts nothing.
    const attemptedId = uuid();
    expect((await post({ id: attemptedId, actor: { mbox: 'mailto:vera@acme.test' }, verb: { id: ATTEMPTED }, object: { id: activity } })).status).toBe(200);
    expect((await post({ ...voiding, id: uuid(), object: { objectType: 'StatementRef', id: attemptedId } })).status).toBe(200);
    await completions(activity);
    expect((await store.readAll({ tenant: 'acme', limit: 10_000 })).filter((event) => event.type === 'training.completion_retracted')).toHaveLength(1);
  });

  it('given PUT with statementId, then 204 and the statement is stored under that id', async () => {
    const id = uuid();
    const response = await request('PUT', `/v1/xapi/statements?statementId=${id}`, { key: keys.ingest, body: { actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: ATTEMPTED }, object: { id: PROMPTING } } });
    expect(response).toEqual({ status: 204, version: '1.0.3', body: undefined });
    expect(await storedStatements(id)).toHaveLength(1);
    const mismatch = await request('PUT', `/v1/xapi/statements?statementId=${uuid()}`, { key: keys.ingest, body: { id, actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: ATTEMPTED }, object: { id: PROMPTING } } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.code).toBe('XAPI.STATEMENT_ID_MISMATCH');
  });

  it('given no API key, then 401; a key without the ingest scope, 403; both with the version header', async () => {
    const statement = { actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: ATTEMPTED }, object: { id: PROMPTING } };
    expect(await request('POST', '/v1/xapi/statements', { body: statement })).toEqual({
      status: 401,
      version: '1.0.3',
      body: { code: 'AUTH.MISSING_API_KEY', message: expect.any(String) },
    });
    expect(await post(statement, keys.read)).toMatchObject({ status: 403, version: '1.0.3', body: { code: 'AUTH.MISSING_SCOPE' } });
  });

  it('given an unsupported xAPI version or a body that is no statement, then 400 with the reason', async () => {
    const statement = { actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: ATTEMPTED }, object: { id: PROMPTING } };
    // A version this LRS does not speak is answered in the latest it does.
    const old = await request('POST', '/v1/xapi/statements', { key: keys.ingest, body: statement, headers: { 'x-experience-api-version': '0.95' } });
    expect(old).toMatchObject({ status: 400, version: '2.0.0', body: { code: 'XAPI.UNSUPPORTED_VERSION', field: 'X-Experience-API-Version' } });
    expect(await request('POST', '/v1/xapi/statements', { key: keys.ingest })).toMatchObject({ status: 400, body: { code: 'XAPI.NOT_A_STATEMENT' } });
  });
});
