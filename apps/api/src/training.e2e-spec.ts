import type { INestApplication } from '@nestjs/common';
import { generateOrganisation, preset } from '@rework-ledger/demo-data';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { createApiApp } from './create-api-app';
import { postEventsAndCatchUp } from './post-events.test-support';

/** The 'small' synthetic organisation: 30 employees, 70% of them trained on prompting-for-analysts (true effect −0.08). */
const organisation = generateOrganisation(preset('small', { tenant: 'acme' }));
const END = organisation.options.end;

jest.setTimeout(60_000);

describe('training impact end to end (HTTP → read models → estimator)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let admin: string;
  let reader: string;

  const get = async (path: string, key = admin) => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      {
        databaseUrl: database.url,
        defaults: { currency: 'USD', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE },
      },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    admin = (await apiKeys.create('acme', ['ingest', 'admin'], 'e2e admin')).key;
    reader = (await apiKeys.create('acme', ['read'], 'e2e read')).key;
    const events = organisation.allEvents();
    await postEventsAndCatchUp(app, baseUrl, admin, events);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('lists the courses with their completions and impact summary', async () => {
    const { status, body } = await get('/v1/training/courses');
    expect(status).toBe(200);
    expect(body.courses).toEqual([
      expect.objectContaining({
        courseId: 'prompting-for-analysts',
        currency: expect.any(String),
        trainees: organisation.groundTruth.courses[0].trainees.length,
        impact: expect.objectContaining({ trainees: expect.objectContaining({ eligible: expect.any(Number) }) }),
      }),
    ]);
  });

  it('estimates the effect of a course with its confidence interval, placebo and value', async () => {
    const { status, body } = await get(`/v1/training/courses/prompting-for-analysts/impact?asOf=${END.toISOString()}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      courseId: 'prompting-for-analysts',
      metricVersion: 'v1',
      asOf: END.toISOString(),
      windowDays: 28,
      minOutputs: 5,
      horizonDays: 90,
      estimateShown: true,
      significant: expect.any(Boolean),
      trainees: { eligible: expect.any(Number), pending: expect.any(Number), insufficient: expect.any(Number), dropped: expect.any(Number) },
    });
    expect(body.trainees.eligible).toBeGreaterThanOrEqual(5);
    expect(body.ci95[0]).toBeLessThanOrEqual(body.att);
    expect(body.ci95[1]).toBeGreaterThanOrEqual(body.att);
    // The true effect is −0.08 on the rework probability: the interval is wide for 30 employees, but covers it.
    expect(body.ci95[0]).toBeLessThan(-0.08 + 0.001);
    expect(body.ci95[1]).toBeGreaterThan(-0.08 - 0.001);
    expect(body.value.cost).toBeGreaterThan(0);
    const again = await get(`/v1/training/courses/prompting-for-analysts/impact?asOf=${END.toISOString()}`);
    expect(again.body).toEqual(body);
  });

  it('lets no non-admin caller choose who the trainees are: windowDays and minOutputs other than the defaults need admin', async () => {
    // At minOutputs m and m + 1 two answers would differ by the trainees with exactly m outputs: one person's effect.
    const narrowed = await get(`/v1/training/courses/prompting-for-analysts/impact?asOf=${END.toISOString()}&minOutputs=70`, reader);
    expect(narrowed.status).toBe(403);
    expect(narrowed.body).toMatchObject({ code: 'PRIVACY.PARAMETER_NEEDS_ADMIN', field: 'minOutputs' });
    const windowed = await get(`/v1/skills/gaps?windowDays=21`, reader);
    expect(windowed.body).toMatchObject({ code: 'PRIVACY.PARAMETER_NEEDS_ADMIN', field: 'windowDays' });
    const atDefaults = await get(`/v1/training/courses/prompting-for-analysts/impact?asOf=${END.toISOString()}&minOutputs=5&windowDays=28`, reader);
    expect(atDefaults.status).toBe(200);
    const { body } = await get(`/v1/training/courses/prompting-for-analysts/impact?asOf=${END.toISOString()}&minOutputs=70`, admin);
    expect(body.trainees.eligible).toBeLessThan(5);
    expect(body).toMatchObject({ estimateShown: true });
  });

  describe('non-admin callers: asOf snapped to weeks, estimates published in steps of k trainees (issue 14)', () => {
    const DAY = 86_400_000;
    const K = 5;
    const impactAt = async (asOf: Date, key: string) => (await get(`/v1/training/courses/prompting-for-analysts/impact?asOf=${asOf.toISOString()}`, key)).body;
    const withoutRequest = ({ requestedAsOf: _requested, ...answer }: any) => answer;
    const expectSameEstimate = (actual: any, expected: any) => {
      expect(actual.trainees).toEqual(expected.trainees);
      expect(actual.att).toBeCloseTo(expected.att, 12);
      expect(actual.naive).toBeCloseTo(expected.naive, 12);
      expect(actual.ci95[0]).toBeCloseTo(expected.ci95[0], 12);
      expect(actual.ci95[1]).toBeCloseTo(expected.ci95[1], 12);
      expect(actual.value.hoursSaved).toBeCloseTo(expected.value.hoursSaved, 9);
    };

    it('gives the same published estimate over asOf = d, d + 1 and d + 7 when one trainee became eligible between them; admins see each exact estimate', async () => {
      // Given a day d (not a Sunday: d and d + 1 in one ISO week) after which exactly one more trainee is eligible.
      let d: Date | undefined;
      let exact: [any, any] | undefined;
      for (let back = 2; back < 200 && d === undefined; back++) {
        const day = new Date(Math.floor(END.getTime() / DAY) * DAY - back * DAY);
        if (day.getUTCDay() === 0) continue;
        const [before, after] = [await impactAt(day, admin), await impactAt(new Date(day.getTime() + DAY), admin)];
        if (after.trainees.eligible === before.trainees.eligible + 1 && before.trainees.eligible >= K) [d, exact] = [day, [before, after]];
      }
      if (d === undefined || exact === undefined) throw new Error('the synthetic organisation has no day with exactly one newly eligible trainee');
      // Admins: the exact estimates, which differ by that one trainee.
      expect(exact[0].asOf).toBe(d.toISOString());
      expect(exact[1].att).not.toBe(exact[0].att);

      // When a non-admin asks as of d and d + 1, then the same estimate, published at a Monday no later than d.
      const [atD, atNextDay] = [await impactAt(d, reader), await impactAt(new Date(d.getTime() + DAY), reader)];
      expect(withoutRequest(atNextDay)).toEqual(withoutRequest(atD));
      expect(atD.requestedAsOf).toBe(d.toISOString());
      expect(atD.estimateShown).toBe(true);
      const published = new Date(atD.asOf);
      expect(published.getUTCDay()).toBe(1);
      expect(published.getTime()).toBeLessThanOrEqual(d.getTime());
      // It is the estimate an admin gets as of that Monday (read another way: the employee months minus later rework).
      expectSameEstimate(atD, await impactAt(published, admin));

      // A week later: the same estimate, or one published at least k trainees later.
      const atNextWeek = await impactAt(new Date(d.getTime() + 7 * DAY), reader);
      if (atNextWeek.asOf === atD.asOf) expect(withoutRequest(atNextWeek)).toEqual(withoutRequest(atD));
      else expect(atNextWeek.trainees.eligible - atD.trainees.eligible).toBeGreaterThanOrEqual(K);
    });

    it('moves the published estimate only when k trainees joined since the last one', async () => {
      const firstMonday = new Date(Math.floor(END.getTime() / DAY) * DAY - 365 * DAY);
      const publications = new Map<string, any>();
      for (let week = firstMonday; week <= END; week = new Date(week.getTime() + 7 * DAY)) {
        const answer = await impactAt(week, reader);
        if (answer.estimateShown) publications.set(answer.asOf, answer);
        else expect(answer).toMatchObject({ att: null, ci95: null, placebo: null });
      }
      const published = [...publications.values()].sort((a, b) => Date.parse(a.asOf) - Date.parse(b.asOf));
      expect(published.length).toBeGreaterThanOrEqual(2);
      expect(published[0].trainees.eligible).toBeGreaterThanOrEqual(K);
      for (let i = 1; i < published.length; i++) expect(published[i].trainees.eligible - published[i - 1].trainees.eligible).toBeGreaterThanOrEqual(K);
      // The course list shows the same published estimate.
      const list = await get('/v1/training/courses', reader);
      const current = await impactAt(new Date(Math.floor(Date.now() / DAY) * DAY), reader);
      expect(list.body.courses[0].impact).toMatchObject({ asOf: current.asOf, att: current.att, trainees: current.trainees });
    });
  });

  it.each([
    ['minOutputs=0', 'minOutputs'],
    ['windowDays=0', 'windowDays'],
    ['horizonDays=-3', 'horizonDays'],
    ['asOf=last-week', 'asOf'],
  ])('answers %s with 400 naming the parameter', async (query, field) => {
    expect(await get(`/v1/training/courses/prompting-for-analysts/impact?${query}`)).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID_PARAMETER', field } });
  });

  it('answers an unknown course with 404', async () => {
    expect(await get('/v1/training/courses/juggling/impact')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND.COURSE', field: 'courseId' } });
  });

  it('answers a tenant with no data with an empty catalogue, not an error', async () => {
    const other = (await app.get<ApiKeys>(API_KEYS).create('empty-tenant', ['read'], 'e2e')).key;
    expect(await get('/v1/training/courses', other)).toMatchObject({ status: 200, body: { courses: [] } });
  });

  it('given the same organisation whose completions name the learners by email and whose identity links arrive last, then the impact is the same; a retraction withdraws a trainee', async () => {
    const beta = (await app.get<ApiKeys>(API_KEYS).create('beta', ['ingest', 'admin'], 'e2e identity')).key;
    const events = organisation.allEvents() as { type: string; data: Record<string, unknown> }[];
    const externalIdOf = new Map(events.filter((e) => e.type === 'employee.identity_linked').map((e) => [e.data['employeeId'], e.data['externalId']]));
    const asLms = events
      .filter((e) => e.type !== 'employee.identity_linked')
      .map((e) => (e.type === 'training.completed' ? { ...e, data: { ...e.data, employeeId: String(externalIdOf.get(e.data['employeeId'])).toUpperCase() } } : e));
    // Before the links: each email is a trainee of its own, with no outputs (the outputs are the employees').
    await postEventsAndCatchUp(app, baseUrl, beta, asLms, 120_000);
    const impact = `/v1/training/courses/prompting-for-analysts/impact?asOf=${END.toISOString()}`;
    const [acmeImpact, acmeCourses] = [await get(impact), await get('/v1/training/courses')];
    const unlinked = await get(impact, beta);
    expect(unlinked.body.trainees.eligible).toBe(0);
    await postEventsAndCatchUp(app, baseUrl, beta, events.filter((e) => e.type === 'employee.identity_linked'));
    expect(await get(impact, beta)).toEqual(acmeImpact);
    expect((await get('/v1/training/courses', beta)).body).toEqual(acmeCourses.body);
    // One trainee's completions retracted (after them all): one trainee fewer.
    const trainee = organisation.groundTruth.courses[0].trainees.find((candidate) => candidate.recompletedAt === undefined)?.employeeId;
    const retraction = { specversion: '1.0', id: 'retract-1', source: 'urn:lms', type: 'training.completion_retracted', time: '2099-01-01T00:00:00Z', data: { employeeId: trainee, courseId: 'prompting-for-analysts' } };
    await postEventsAndCatchUp(app, baseUrl, beta, [retraction]);
    expect((await get('/v1/training/courses', beta)).body.courses[0].trainees).toBe(acmeCourses.body.courses[0].trainees - 1);
  }, 240_000);
});

describe('skills gaps end to end', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let admin: string;
  let reader: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createApiApp(
      { databaseUrl: database.url, defaults: { currency: 'USD', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    admin = (await app.get<ApiKeys>(API_KEYS).create('acme', ['ingest', 'admin'], 'e2e admin')).key;
    reader = (await app.get<ApiKeys>(API_KEYS).create('acme', ['read'], 'e2e read')).key;
    const events = generateOrganisation(preset('small', { tenant: 'acme', employees: 60, teams: 8 })).allEvents();
    for (let i = 0; i < events.length; i += 1000) {
      await fetch(`${baseUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(events.slice(i, i + 1000)) });
    }
    for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(60_000);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('lists team × task-type cells above the tenant rework rate, worst first, with their recommendations', async () => {
    const response = await fetch(`${baseUrl}/v1/skills/gaps?from=${new Date(END.getTime() - 120 * 86_400_000).toISOString()}&to=${END.toISOString()}&asOf=${END.toISOString()}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const body = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(body.tenantReworkRate).toBeGreaterThan(0);
    expect(body.gaps.length).toBeGreaterThan(0);
    for (const gap of body.gaps) {
      expect(gap.reworkRate).toBeGreaterThan(body.tenantReworkRate);
      for (const recommendation of gap.recommendations) {
        expect(recommendation.att).toBeLessThan(0);
        expect(recommendation.untrainedMembers).toBeGreaterThan(0);
        expect(recommendation.projectedHoursSaved).toBeGreaterThan(0);
      }
    }
    const weights = body.gaps.map((gap: any) => gap.excessReworkRate * gap.outputs);
    expect([...weights].sort((a: number, b: number) => b - a)).toEqual(weights);
  });

  it('gives non-admin callers only the cells that the protected tables of each month publish, summed over whole months (issue 14)', async () => {
    const K = 5;
    const get = async (path: string, key: string) => {
      const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(200);
      return (await response.json()) as any;
    };
    const from = new Date(END.getTime() - 120 * 86_400_000);
    const body = await get(`/v1/skills/gaps?from=${from.toISOString()}&to=${END.toISOString()}&asOf=${END.toISOString()}`, reader);
    // The period widened to whole calendar months.
    expect(body.from).toBe(new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1)).toISOString());
    expect(new Date(body.to).getUTCDate()).toBe(1);
    expect(Date.parse(body.to)).toBeGreaterThanOrEqual(END.getTime());
    expect(body.gaps.length).toBeGreaterThan(0);
    expect(body.suppressed).toMatchObject({ cells: expect.any(Number) });
    for (const gap of body.gaps) {
      // Each gap is a sum of whole cell-months of at least k people (the admin's per-employee, per-month figures).
      const rows = (await get(`/v1/metrics/rework?groupBy=employee&bucket=month&team=${encodeURIComponent(gap.team)}&taskType=${gap.taskType}&from=${body.from}&to=${body.to}`, admin)).rows;
      const months = new Map<string, { employees: number; outputs: number; reworked: number }>();
      for (const row of rows) {
        const month = months.get(row.bucket) ?? { employees: 0, outputs: 0, reworked: 0 };
        months.set(row.bucket, { employees: month.employees + 1, outputs: month.outputs + row.outputs, reworked: month.reworked + row.reworkedOutputs });
      }
      const large = [...months.values()].filter((month) => month.employees >= K);
      const sums = Array.from({ length: 2 ** large.length }, (_, mask) =>
        large.reduce((sum, month, i) => (mask & (1 << i) ? { outputs: sum.outputs + month.outputs, reworked: sum.reworked + month.reworked } : sum), { outputs: 0, reworked: 0 }),
      );
      expect(sums).toContainEqual({ outputs: gap.outputs, reworked: gap.reworkedOutputs });
      for (const recommendation of gap.recommendations) expect(recommendation.projectedHoursSaved).toBeGreaterThan(0);
    }
  });
});
