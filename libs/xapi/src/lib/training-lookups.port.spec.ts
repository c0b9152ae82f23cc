import { bindTrainingLookups, type SqlQueryable, type TrainingLookups } from './training-lookups.port';

const lookups: TrainingLookups = {
  courseByActivityId: async (db, tenant, activityId) => (await db.query<{ id: string }>('course', [tenant, activityId]))[0]?.id,
};

describe('bindTrainingLookups', () => {
  it('binds the queries to the database and the tenant', async () => {
    const asked: unknown[][] = [];
    const db: SqlQueryable = { query: async <T>(sql: string, parameters?: unknown[]) => (asked.push([sql, ...(parameters ?? [])]), [{ id: 'x' }] as T[]) };
    const resolvers = bindTrainingLookups(lookups, db, 'acme');
    expect(await resolvers.courseByActivityId('https://lms.test/a')).toBe('x');
    expect(asked).toEqual([['course', 'acme', 'https://lms.test/a']]);
  });

  it('given a read model not created yet, then a retriable error (503), not a silent fallback', async () => {
    const db: SqlQueryable = { query: async () => Promise.reject(Object.assign(new Error('relation "rm_training.course_activities" does not exist'), { code: '42P01' })) };
    await expect(bindTrainingLookups(lookups, db, 'acme').courseByActivityId('https://lms.test/a')).rejects.toMatchObject({ code: 'XAPI.READ_MODEL_NOT_READY', retriable: true });
    const broken: SqlQueryable = { query: async () => Promise.reject(new Error('connection lost')) };
    await expect(bindTrainingLookups(lookups, broken, 'acme').courseByActivityId('x')).rejects.toThrow('connection lost');
  });
});
