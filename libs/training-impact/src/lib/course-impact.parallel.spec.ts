// The internals of the parallel bootstrap. The parallel estimate on generated organisations (libs/demo-data) is checked
// in libs/training-impact-recovery.
import { employeeBootstrap } from './course-impact.bootstrap';
import { resampleEmployees } from './course-impact.bootstrap-kernel';
import { prepareCourseImpact } from './course-impact.design';
import type { CourseImpactInput, DailyActivity } from './course-impact.types';
import { closeCourseImpactWorkers, employeeBootstrapInWorkers, splitResamples } from './course-impact.worker-pool';
import { resampleStreamStates } from './resample-stream';

const DAY_MS = 86_400_000;
const DAY0 = Date.UTC(2025, 2, 1) / DAY_MS;

/** A deterministic uniform generator for hand-made scenarios (mulberry32). */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 6 employees over 182 days, 2 outputs on 60 % of the days; e1 and e2 complete the course on days 90 and 100, e3 on
 * day 170 (pending): with 2 eligible trainees of 6, a resample often draws no trainee with a control, and is drawn again.
 */
function tiny(): CourseImpactInput {
  const random = uniform(2);
  const employees = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'];
  const completionDay = new Map([['e1', 90], ['e2', 100], ['e3', 170]]);
  const activity: DailyActivity[] = [];
  for (const employeeId of employees) {
    for (let day = 0; day < 182; day++) {
      if (random() < 0.4) continue;
      let reworked = 0;
      for (let k = 0; k < 2; k++) if (random() < 0.3) reworked++;
      activity.push({ employeeId, day: DAY0 + day, outputs: 2, reworked, reworkMinutes: reworked * 10 });
    }
  }
  return {
    asOf: new Date((DAY0 + 182) * DAY_MS),
    windowDays: 28,
    minOutputs: 5,
    horizonDays: 90,
    completions: [...completionDay].map(([employeeId, day]) => ({ employeeId, completedAt: new Date((DAY0 + day) * DAY_MS + 12 * 3_600_000) })),
    employees,
    activity,
    hourlyCost: () => 60,
    costPerSeat: 100,
    currencyMatchesTenant: true,
  };
}

afterAll(() => closeCourseImpactWorkers());

describe('estimateCourseImpactInParallel', () => {
  describe('given resamples that are drawn again', () => {
    it('then each worker redraws them from their own streams, as the calling thread does', async () => {
      const input = tiny();
      const { plan, employeeIds } = prepareCourseImpact(input);
      const { redrawn } = resampleEmployees(plan, employeeIds.length, resampleStreamStates(7, 0, 1000));
      expect(redrawn.main).toBeGreaterThan(50);
      expect(redrawn.placebo).toBeGreaterThan(50);
      const sequential = employeeBootstrap(plan, employeeIds.length, 1000, 7);
      for (const threads of [2, 3]) expect(await employeeBootstrapInWorkers(plan, employeeIds.length, 1000, 7, threads)).toEqual(sequential);
    });
  });
});

describe('splitResamples', () => {
  it.each([
    [1000, 2, [496, 504]],
    [1000, 3, [328, 336, 336]],
    [203, 3, [64, 72, 67]],
    [10, 4, [8, 2]],
  ])('given %i resamples over %i threads, then contiguous runs of whole blocks of 8 cover them: %j', (resamples, threads, counts) => {
    const runs = splitResamples(resamples, threads);
    expect(runs.map((run) => run.count)).toEqual(counts);
    runs.forEach((run, i) => expect(run.first).toBe(i === 0 ? 0 : runs[i - 1].first + runs[i - 1].count));
  });
});
