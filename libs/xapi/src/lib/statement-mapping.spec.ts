import { v5 as uuidv5 } from 'uuid';
import { derivedStatementId, learnerIdOf, mapStatement, STATEMENT_ID_NAMESPACE, type TrainingResolvers, XAPI_EVENT_SOURCE } from './statement-mapping';
import { type ValidStatement, validateStatement } from './xapi-statement';

const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';
const SATISFIED = 'https://w3id.org/xapi/adl/verbs/satisfied';
const PROMPTING = 'https://lms.test/courses/prompting';
const STORED_AT = new Date('2026-03-05T12:00:00.000Z');

/** The training read model as plain data: courses with their activities (learners are not looked up). */
const catalogue = (courses: { courseId: string; activityIds: string[] }[] = []): TrainingResolvers => ({
  courseByActivityId: async (activityId) => courses.find((course) => course.activityIds.includes(activityId))?.courseId,
});

const resolvers = catalogue([{ courseId: 'prompting', activityIds: [PROMPTING] }]);

const valid = (raw: Record<string, unknown>): ValidStatement => {
  const result = validateStatement({ verb: { id: COMPLETED }, object: { id: PROMPTING }, ...raw });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.statement;
};
const ID = 'c0ffee00-0000-4000-8000-000000000001';

describe('mapStatement (statement → training.completed, given the training read model)', () => {
  it('given a completion by an account on a course activity, then it is a completion of that course under account.name (resolved by the read models)', async () => {
    const statement = valid({ id: ID, actor: { account: { homePage: 'https://lms.test', name: 'a.smith' } }, timestamp: '2026-03-02T10:00:00Z', result: { score: { scaled: 0.9 } } });
    const mapped = await mapStatement(statement, STORED_AT, resolvers);
    expect(mapped.event).toEqual({
      specversion: '1.0',
      id: ID,
      source: XAPI_EVENT_SOURCE,
      type: 'training.completed',
      time: '2026-03-02T10:00:00Z',
      data: { employeeId: 'a.smith', courseId: 'prompting', activityId: PROMPTING, score: 0.9 },
    });
    expect(mapped).toMatchObject({ id: ID, verb: COMPLETED });
    expect(mapped.record).toMatchObject({ id: ID, timestamp: '2026-03-02T10:00:00Z', stored: '2026-03-05T12:00:00.000Z', version: '1.0.0' });
  });

  it('given the satisfied verb and an mbox, then it is a completion under the normalised email (mailto: stripped, lower case)', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { mbox: 'mailto:Bob@ACME.test' }, verb: { id: SATISFIED } }), STORED_AT, resolvers);
    expect(mapped.event?.['data']).toEqual({ employeeId: 'bob@acme.test', courseId: 'prompting', activityId: PROMPTING });
  });

  it('given an activity no course lists, then the activity IRI is the courseId', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { account: { homePage: 'https://lms.test', name: 'a.smith' } }, object: { id: 'https://lms.test/courses/other' } }), STORED_AT, resolvers);
    expect(mapped.event?.['data']).toEqual({ employeeId: 'a.smith', courseId: 'https://lms.test/courses/other', activityId: 'https://lms.test/courses/other' });
  });

  it('given an mbox no link names, then the completion is still made (never a rejection): the read models count it under the email until linked', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { mbox: 'mailto:carol@acme.test' } }), STORED_AT, resolvers);
    expect(mapped.event?.['data']).toEqual({ employeeId: 'carol@acme.test', courseId: 'prompting', activityId: PROMPTING });
  });

  it('given another verb, then the statement is kept and makes no event', async () => {
    const mapped = await mapStatement(valid({ id: ID, actor: { mbox: 'mailto:carol@acme.test' }, verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' } }), STORED_AT, resolvers);
    expect(mapped).toEqual({ id: ID, verb: 'http://adlnet.gov/expapi/verbs/attempted', record: expect.objectContaining({ id: ID, stored: STORED_AT.toISOString() }) });
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

describe('learnerIdOf (the identifier the read models resolve through employee.identity_linked)', () => {
  it.each([
    [{ mbox: 'mailto:alice@acme.test' }, 'alice@acme.test'],
    [{ mbox: 'MAILTO:Alice@Acme.Test' }, 'alice@acme.test'],
    [{ account: { homePage: 'https://lms.test', name: 'a.smith' } }, 'a.smith'],
    // An account name is kept as sent (an LMS's ids may be case-sensitive), unless it is an email…
    [{ account: { homePage: 'https://lms.test', name: ' A.Smith ' } }, 'A.Smith'],
    [{ account: { homePage: 'https://lms.test', name: 'A.Smith@Acme.test' } }, 'a.smith@acme.test'],
    // …or its homePage names a system that ignores case.
    [{ account: { homePage: 'github', name: 'Alice-Dev' } }, 'alice-dev'],
  ])('given the actor %p, then %p', (actor, expected) => {
    expect(learnerIdOf(actor as never)).toBe(expected);
  });
});

describe('derivedStatementId', () => {
  const base = { actor: { account: { homePage: 'https://lms.test', name: 'a.smith' } }, timestamp: '2026-03-02T10:00:00Z' };

  it('is the UUID v5, in the documented namespace, of actor, verb, object and timestamp — fixed forever', () => {
    const expected = uuidv5(JSON.stringify([{ account: { homePage: 'https://lms.test', name: 'a.smith' } }, COMPLETED, 'Activity', PROMPTING, '2026-03-02T10:00:00.000Z']), STATEMENT_ID_NAMESPACE);
    expect(derivedStatementId(valid(base), STORED_AT)).toBe(expected);
    expect(expected).toBe('e0aab7a1-9ae0-52ee-8f3c-fb9de7196897');
  });

  it('given the same statement twice, then the same id; the same instant written otherwise, the same id', () => {
    expect(derivedStatementId(valid(base), STORED_AT)).toBe(derivedStatementId(valid({ ...base, timestamp: '2026-03-02T11:00:00.000+01:00', context: { x: 1 } }), STORED_AT));
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
      ].map((statement) => derivedStatementId(statement, STORED_AT)),
    );
    expect(ids.size).toBe(7);
  });

  it('given no timestamp, then the time stored takes its place: the same statement stored at two times is two statements', () => {
    const untimed = valid({ actor: base.actor });
    expect(derivedStatementId(untimed, STORED_AT)).not.toBe(derivedStatementId(untimed, new Date(STORED_AT.getTime() + 1)));
    // Twice in one request: two statements too.
    expect(derivedStatementId(untimed, STORED_AT, 0)).not.toBe(derivedStatementId(untimed, STORED_AT, 1));
    // A timestamped statement's id depends on nothing else.
    expect(derivedStatementId(valid(base), STORED_AT, 0)).toBe(derivedStatementId(valid(base), new Date(0), 7));
  });

  it('given no id, then mapStatement uses the derived one', async () => {
    const statement = valid(base);
    expect((await mapStatement(statement, STORED_AT, resolvers)).id).toBe(derivedStatementId(statement, STORED_AT));
  });
});
