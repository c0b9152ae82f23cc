import { v5 as uuidv5 } from 'uuid';
import { derivedStatementId, mapStatement, STATEMENT_ID_NAMESPACE, type TrainingResolvers, XAPI_EVENT_SOURCE } from './statement-mapping';
import { type ValidStatement, validateStatement } from './xapi-statement';

const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';
const SATISFIED = 'https://w3id.org/xapi/adl/verbs/satisfied';
const PROMPTING = 'https://lms.test/courses/prompting';
const STORED_AT = new Date('2026-03-05T12:00:00.000Z');

type Link = { system: string; externalId: string; employeeId: string };

/** The training read model as plain data: identity links and courses with their activities. */
const directory = (links: Link[], courses: { courseId: string; activityIds: string[] }[] = []): TrainingResolvers => ({
  employeeByExternalId: async (externalId, system) =>
    links
      .filter((link) => link.externalId === externalId && (system === undefined || link.system === system))
      .sort((a, b) => a.system.localeCompare(b.system))[0]?.employeeId,
  courseByActivityId: async (activityId) => courses.find((course) => course.activityIds.includes(activityId))?.courseId,
});

const links: Link[] = [
  { system: 'https://lms.test', externalId: 'a.smith', employeeId: 'alice' },
  { system: 'hris', externalId: 'mailto:bob@acme.test', employeeId: 'bob' },
];
const resolvers = directory(links, [{ courseId: 'prompting', activityIds: [PROMPTING] }]);

const valid = (raw: Record<string, unknown>): ValidStatement => {
  const result = validateStatement({ verb: { id: COMPLETED }, object: { id: PROMPTING }, ...raw });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.statement;
};
const ID = 'c0ffee00-0000-4000-8000-000000000001';

describe('mapStatement (statement → training.completed, given the training read model)', () => {
  it('given a completion by a linked account on a course activity, then it is a completion of that course by that employee', async () => {
    const statement = valid({ id: ID, actor: { account: { homePage: 'https://lms.test', name: 'a.smith' } }, timestamp: '2026-03-02T10:00:00Z', result: { score: { scaled: 0.9 } } });
    const mapped = await mapStatement(statement, STORED_AT, resolvers);
    expect(mapped.event).toEqual({
      specversion: '1.0',
      id: ID,
      source: XAPI_EVENT_SOURCE,
      type: 'training.completed',
      time: '2026-03-02T10:00:00Z',
      data: { employeeId: 'alice', courseId: 'prompting', activityId: PROMPTING, score: 0.9 },
    });
    expect(mapped).toMatchObject({ id: ID, verb: COMPLETED, errors: [] });
    expect(mapped.record).toMatchObject({ id: ID, timestamp: '2026-03-02T10:00:00Z', stored: '2026-03-05T12:00:00.000Z', version: '1.0.0' });
  });

  it('given the satisfied verb and an mbox linked in any system, then it is a completion by the linked employee', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { mbox: 'mailto:bob@acme.test' }, verb: { id: SATISFIED } }), STORED_AT, resolvers);
    expect(mapped.event?.['data']).toEqual({ employeeId: 'bob', courseId: 'prompting', activityId: PROMPTING });
  });

  it('given an account not linked in its homePage, then account.name is the employee id (a link in another system does not count)', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { account: { homePage: 'https://other-lms.test', name: 'a.smith' } } }), STORED_AT, resolvers);
    expect(mapped.event?.['data']).toMatchObject({ employeeId: 'a.smith' });
  });

  it('given an activity no course lists, then the activity IRI is the courseId', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { account: { homePage: 'https://lms.test', name: 'a.smith' } }, object: { id: 'https://lms.test/courses/other' } }), STORED_AT, resolvers);
    expect(mapped.event?.['data']).toEqual({ employeeId: 'alice', courseId: 'https://lms.test/courses/other', activityId: 'https://lms.test/courses/other' });
  });

  it('given an mbox linked to nobody, then the statement is invalid: there is no employee id to fall back on', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { mbox: 'mailto:carol@acme.test' } }), STORED_AT, resolvers);
    expect(mapped.event).toBeUndefined();
    expect(mapped.errors).toEqual([
      { code: 'XAPI.UNKNOWN_ACTOR', message: 'no employee is linked to mailto:carol@acme.test (employee.identity_linked); link it, or identify the actor by account', field: 'actor.mbox' },
    ]);
  });

  it('given another verb, then the statement is kept and makes no event, even when its actor is unknown', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { mbox: 'mailto:carol@acme.test' }, verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' } }), STORED_AT, resolvers);
    expect(mapped).toEqual({ id: ID, verb: 'http://adlnet.gov/expapi/verbs/attempted', record: expect.objectContaining({ id: ID, stored: STORED_AT.toISOString() }), errors: [] });
  });

  it('given no timestamp, then the completion time is the time stored', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { mbox: 'mailto:bob@acme.test' } }), STORED_AT, resolvers);
    expect(mapped.event?.['time']).toBe('2026-03-05T12:00:00.000Z');
    expect(mapped.record).toMatchObject({ timestamp: '2026-03-05T12:00:00.000Z', stored: '2026-03-05T12:00:00.000Z' });
  });

  it('given a negative scaled score, then the completion has no score (the contract scores 0..1)', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { mbox: 'mailto:bob@acme.test' }, result: { score: { scaled: -0.5 } } }), STORED_AT, resolvers);
    expect(mapped.event?.['data']).not.toHaveProperty('score');
  });

  it('given an upper-case id, then the id is kept lower-case (one statement, one id)', async () => {
    const mapped = await mapStatement(valid({ id: ID.toUpperCase(), actor: { mbox: 'mailto:bob@acme.test' } }), STORED_AT, resolvers);
    expect(mapped.id).toBe(ID);
    expect(mapped.event?.['id']).toBe(ID);
  });
});

describe('derivedStatementId', () => {
  const base = { actor: { account: { homePage: 'https://lms.test', name: 'a.smith' } }, timestamp: '2026-03-02T10:00:00Z' };

  it('is the UUID v5, in the documented namespace, of actor, verb, object and timestamp — fixed forever', () => {
    const expected = uuidv5(JSON.stringify([{ account: { homePage: 'https://lms.test', name: 'a.smith' } }, COMPLETED, 'Activity', PROMPTING, '2026-03-02T10:00:00.000Z']), STATEMENT_ID_NAMESPACE);
    expect(derivedStatementId(valid(base))).toBe(expected);
    expect(expected).toBe('e0aab7a1-9ae0-52ee-8f3c-fb9de7196897');
  });

  it('given the same statement twice, then the same id; the same instant written otherwise, the same id', () => {
    expect(derivedStatementId(valid(base))).toBe(derivedStatementId(valid({ ...base, timestamp: '2026-03-02T11:00:00.000+01:00', context: { x: 1 } })));
  });

  it('given another actor, verb, object or timestamp, or none, then another id', () => {
    const ids = new Set(
      [
        valid(base),
        valid({ ...base, actor: { account: { homePage: 'https://lms.test', name: 'b.jones' } } }),
        valid({ ...base, actor: { mbox: 'mailto:a.smith@acme.test' } }),
        valid({ ...base, verb: { id: SATISFIED } }),
        valid({ ...base, object: { id: 'https://lms.test/courses/other' } }),
        valid({ ...base, timestamp: '2026-03-02T10:00:01Z' }),
        valid({ actor: base.actor }),
      ].map(derivedStatementId),
    );
    expect(ids.size).toBe(7);
  });

  it('given no id, then mapStatement uses the derived one', async () => {
    const statement = valid(base);
    expect((await mapStatement(statement, STORED_AT, resolvers)).id).toBe(derivedStatementId(statement));
  });
});
