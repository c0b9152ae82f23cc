import { LedgerError } from '@rework-ledger/domain';
import { courseImpactTrainees, estimateCourseImpact } from './course-impact.estimator';
import type { CourseImpactInput, DailyActivity } from './course-impact.types';

const DAY_MS = 86_400_000;
const DAY0 = Date.UTC(2025, 2, 1) / DAY_MS; // day numbers below are relative to 2025-03-01
const at = (day: number, hour = 0): Date => new Date((DAY0 + day) * DAY_MS + hour * 3_600_000);
const row = (employeeId: string, day: number, outputs: number, reworked: number, reworkMinutes = 0): DailyActivity => ({
  employeeId,
  day: DAY0 + day,
  outputs,
  reworked,
  reworkMinutes,
});

/**
 * W = 2, m = 2, H = 4, asOf = day 14. Trainees t1, t2 (day 10), c2 (day 12, exactly at t1's d + W: still t1's control),
 * p (day 13: pending), i (day 10, one output after: insufficient), x (day 4: nobody else active then: dropped).
 * A completion at asOf itself is ignored; t2's second completion too; ghost is not an employee of the tenant.
 */
function handBuilt(overrides: Partial<CourseImpactInput> = {}): CourseImpactInput {
  const hourly: Record<string, number> = { t1: 60, t2: 90, c2: 30 };
  return {
    asOf: at(14),
    windowDays: 2,
    minOutputs: 2,
    horizonDays: 4,
    completions: [
      { employeeId: 't1', completedAt: at(10, 14) },
      { employeeId: 't2', completedAt: at(11, 9) },
      { employeeId: 't2', completedAt: at(10, 9) },
      { employeeId: 'c2', completedAt: at(12) },
      { employeeId: 'p', completedAt: at(13, 8) },
      { employeeId: 'i', completedAt: at(10, 10) },
      { employeeId: 'x', completedAt: at(4, 8) },
      { employeeId: 'c1', completedAt: at(14) },
    ],
    employees: ['c1', 'c2', 'c3', 'i', 'idle', 'p', 't1', 't2', 'x'],
    activity: [
      // t1: pre 4 outputs, 2 reworked (50 min); post 4, 1 → Δ −0.25
      row('t1', 8, 2, 1, 30),
      row('t1', 9, 2, 1, 20),
      row('t1', 10, 2, 0),
      row('t1', 11, 2, 1, 15),
      // t2: pre 4, 2 (40 min); post 4, 0 → Δ −0.5
      row('t2', 8, 4, 2, 40),
      row('t2', 11, 4, 0),
      // c1: group day 10: pre 0/2, post 1/2 → +0.5; group day 12: pre 1/2, post 2/2 → +0.5; placebo (12): pre 0/2 → post 1/2
      row('c1', 9, 2, 0),
      row('c1', 10, 2, 1),
      row('c1', 13, 2, 2),
      // c2: group day 10: pre 1/2, post 1/2 → 0; as a trainee (day 12): pre 1/2 (25 min), post 0/2 → −0.5
      row('c2', 8, 2, 1),
      row('c2', 11, 2, 1, 25),
      row('c2', 12, 2, 0),
      // c3: one output in [10, 12): never a control
      row('c3', 8, 2, 0),
      row('c3', 10, 1, 0),
      // i: one output after
      row('i', 9, 2, 1),
      row('i', 10, 1, 0),
      // x: alone on days 2–5
      row('x', 2, 3, 1),
      row('x', 5, 3, 0),
      // not an employee of the tenant: ignored
      row('ghost', 8, 5, 5),
      row('ghost', 10, 5, 0),
    ],
    hourlyCost: (employeeId) => hourly[employeeId] ?? 0,
    costPerSeat: 100,
    currencyMatchesTenant: true,
    ...overrides,
  };
}

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
 * 80 employees over 200 days, 3 outputs a day; 40 trainees complete between days 70 and 160. Controls rework at
 * 0.3 (± their own level). With `preTrend`, trainees' rework falls steadily from 8 weeks before their course to 4
 * weeks after (by 0.08 per 4 weeks), with no effect of the course itself.
 */
function preTrendScenario(preTrend: boolean, seed = 1): CourseImpactInput {
  const random = uniform(seed);
  const employees = Array.from({ length: 80 }, (_, i) => `e${String(i).padStart(2, '0')}`);
  const completionDay = new Map(employees.slice(0, 40).map((id, i) => [id, 70 + Math.floor((i * 90) / 40)]));
  const activity: DailyActivity[] = [];
  for (const id of employees) {
    const level = 0.3 + (random() - 0.5) * 0.1;
    const d = completionDay.get(id);
    for (let day = 0; day < 200; day++) {
      const falling = preTrend && d !== undefined ? 0.08 * Math.min(3, Math.max(0, (day - (d - 56)) / 28)) : 0;
      let reworked = 0;
      for (let k = 0; k < 3; k++) if (random() < level + 0.1 - falling) reworked++;
      activity.push(row(id, day, 3, reworked));
    }
  }
  return {
    asOf: at(200),
    windowDays: 28,
    minOutputs: 5,
    horizonDays: 90,
    completions: [...completionDay].map(([employeeId, day]) => ({ employeeId, completedAt: at(day, 12) })),
    employees,
    activity,
    hourlyCost: () => 60,
    costPerSeat: 100,
    currencyMatchesTenant: true,
  };
}

describe('estimateCourseImpact', () => {
  describe('given a hand-built tenant', () => {
    it('then every trainee falls into exactly one category', () => {
      const trainees = courseImpactTrainees(handBuilt());
      expect(Object.fromEntries(trainees.map((t) => [t.employeeId, t.category]))).toEqual({
        c2: 'eligible',
        i: 'insufficient',
        p: 'pending',
        t1: 'eligible',
        t2: 'eligible',
        x: 'dropped',
      });
      expect(estimateCourseImpact(handBuilt()).trainees).toEqual({ eligible: 3, pending: 1, insufficient: 1, dropped: 1 });
    });

    it('then the controls are those without a completion before d + W and with ≥ m outputs in both windows', () => {
      const byId = new Map(courseImpactTrainees(handBuilt()).map((t) => [t.employeeId, t]));
      expect(byId.get('t1')?.controls).toBe(2); // c1 and c2 (c2 completed exactly at d + W)
      expect(byId.get('c2')?.controls).toBe(1); // c1 (p completed before day 14, c3 has one output)
      expect(byId.get('x')?.controls).toBe(0);
    });

    it('then ATT is the mean of Δᵢ − mean Δ of the controls, and naive the mean of Δᵢ', () => {
      const estimate = estimateCourseImpact(handBuilt());
      // t1: −0.25 − (0.5 + 0)/2 = −0.5; t2: −0.5 − 0.25 = −0.75; c2: −0.5 − 0.5 = −1
      expect(estimate.att).toBeCloseTo(-0.75, 12);
      expect(estimate.naive).toBeCloseTo((-0.25 - 0.5 - 0.5) / 3, 12);
    });

    it('then the trainee-only bootstrap resamples the three effects (−0.5, −0.75, −1) with their control means fixed', () => {
      const { ci95, att } = estimateCourseImpact(handBuilt(), { resampling: 'trainees' });
      expect(att).toBeCloseTo(-0.75, 12);
      expect(ci95![0]).toBeGreaterThanOrEqual(-1);
      expect(ci95![1]).toBeLessThanOrEqual(-0.5);
      expect(ci95![0]).toBeLessThan(ci95![1]);
    });

    it('then value, cost, ROI and payback follow PRODUCT.md', () => {
      const { value } = estimateCourseImpact(handBuilt());
      expect(value.minutesPerReworkedOutput).toBeCloseTo((50 + 40 + 25) / 5, 12); // 23
      expect(value.avoidedReworks).toBeCloseTo(0.75 * 10 * (4 / 2), 12); // 15
      expect(value.hoursSaved).toBeCloseTo((15 * 23) / 60, 12); // 5.75
      expect(value.valueSaved).toBeCloseTo(5.75 * 60, 12); // mean hourly cost of t1, t2, c2 = 60 → 345
      expect(value.cost).toBe(300);
      expect(value.roi).toBeCloseTo((345 - 300) / 300, 12);
      expect(value.paybackDays).toBeCloseTo(300 / (345 / 4), 12);
    });

    it('then value and ROI are also given at both ends of the CI', () => {
      const { ci95, value } = estimateCourseImpact(handBuilt());
      const valueAt = (att: number) => -att * 10 * 2 * (23 / 60) * 60;
      expect(ci95).not.toBeNull();
      expect(value.valueSavedRange?.[0]).toBeCloseTo(valueAt(ci95![1]), 9);
      expect(value.valueSavedRange?.[1]).toBeCloseTo(valueAt(ci95![0]), 9);
      expect(value.roiRange?.[0]).toBeCloseTo((valueAt(ci95![1]) - 300) / 300, 9);
      expect(value.roiRange?.[1]).toBeCloseTo((valueAt(ci95![0]) - 300) / 300, 9);
    });

    it('then the placebo compares the shifted windows: c2 alone qualifies, against c1', () => {
      const { placebo } = estimateCourseImpact(handBuilt());
      // c2: [8, 10) 1/2 → [10, 12) 1/2: 0; c1: [8, 10) 0/2 → [10, 12) 1/2: +0.5 → −0.5, the same in every resample
      expect(placebo).toEqual({ att: -0.5, ci95: [-0.5, -0.5], flagged: true });
      expect(courseImpactTrainees(handBuilt()).filter((t) => t.placebo).map((t) => t.employeeId)).toEqual(['c2']);
    });
  });

  describe('given a course whose currency is not the tenant’s', () => {
    it('then ROI, its range and payback are null but the value is given', () => {
      const { value } = estimateCourseImpact(handBuilt({ currencyMatchesTenant: false }));
      expect(value.valueSaved).toBeCloseTo(345, 9);
      expect(value.cost).toBe(300);
      expect(value).toMatchObject({ roi: null, roiRange: null, paybackDays: null });
    });
  });

  describe('given a free course', () => {
    it('then cost is 0, ROI is null and payback is immediate', () => {
      const { value } = estimateCourseImpact(handBuilt({ costPerSeat: 0 }));
      expect(value).toMatchObject({ cost: 0, roi: null, roiRange: null, paybackDays: 0 });
    });
  });

  describe('given a course that made rework worse', () => {
    it('then valueSaved is negative and there is no payback', () => {
      // Every output of the trainees after their completion day is reworked: effects 0.25, 0.25 and 0.
      const reworkedAfter = new Map([['t1', 10], ['t2', 10], ['c2', 12]]);
      const worse = (handBuilt().activity as readonly DailyActivity[]).map((r) => (r.day >= DAY0 + (reworkedAfter.get(r.employeeId) ?? Infinity) ? { ...r, reworked: r.outputs } : r));
      const { att, value } = estimateCourseImpact(handBuilt({ activity: worse }));
      expect(att).toBeCloseTo(0.5 / 3, 12);
      expect(att).toBeGreaterThan(0);
      expect(value.valueSaved).toBeLessThan(0);
      expect(value.paybackDays).toBeNull();
      expect(value.roi).toBeLessThan(-1);
    });
  });

  describe('given the same input twice', () => {
    it('then the answers are the same', () => {
      const first = estimateCourseImpact(handBuilt());
      const second = estimateCourseImpact(handBuilt());
      expect(second).toEqual(first);
      const trainees = estimateCourseImpact(handBuilt(), { resampling: 'trainees' });
      expect(estimateCourseImpact(handBuilt(), { resampling: 'trainees' })).toEqual(trainees);
    });

    it('then the order of the activity rows and of the employees does not matter', () => {
      const input = handBuilt();
      const shuffled = handBuilt({ activity: [...(input.activity as readonly DailyActivity[])].reverse(), employees: [...input.employees].reverse() });
      expect(estimateCourseImpact(shuffled)).toEqual(estimateCourseImpact(input));
    });
  });

  describe('given trainees whose rework was already falling before the course', () => {
    it('then the placebo is flagged (and the estimate takes the trend for an effect)', () => {
      const estimate = estimateCourseImpact(preTrendScenario(true));
      expect(estimate.placebo?.att).toBeLessThan(-0.05);
      expect(estimate.placebo?.flagged).toBe(true);
      expect(estimate.significant).toBe(true);
    });
  });

  describe('given trainees whose rework ran parallel to their colleagues’', () => {
    it('then the placebo is not flagged and there is no effect', () => {
      const estimate = estimateCourseImpact(preTrendScenario(false));
      expect(estimate.placebo?.flagged).toBe(false);
      expect(estimate.significant).toBe(false);
      expect(estimate.trainees.eligible).toBe(40);
    });
  });

  describe('given a course nobody completed', () => {
    it('then counts are zero and every estimate is null', () => {
      const estimate = estimateCourseImpact(handBuilt({ completions: [] }));
      expect(estimate).toEqual({
        att: null,
        naive: null,
        ci95: null,
        significant: false,
        placebo: null,
        trainees: { eligible: 0, pending: 0, insufficient: 0, dropped: 0 },
        value: {
          minutesPerReworkedOutput: null,
          avoidedReworks: null,
          hoursSaved: null,
          valueSaved: null,
          valueSavedRange: null,
          cost: 0,
          roi: null,
          roiRange: null,
          paybackDays: null,
        },
      });
    });
  });

  describe('given trainees of whom nobody is eligible', () => {
    it('then they are counted and the estimate is null', () => {
      const estimate = estimateCourseImpact(handBuilt({ completions: [{ employeeId: 'p', completedAt: at(13) }, { employeeId: 'x', completedAt: at(4) }] }));
      expect(estimate.trainees).toEqual({ eligible: 0, pending: 1, insufficient: 0, dropped: 1 });
      expect(estimate).toMatchObject({ att: null, naive: null, ci95: null, significant: false, placebo: null });
      expect(estimate.value).toMatchObject({ cost: 0, valueSaved: null, roi: null });
    });
  });

  describe('given an empty tenant', () => {
    it('then the answer is empty, not an error', () => {
      const estimate = estimateCourseImpact(handBuilt({ employees: [], activity: [], completions: [] }));
      expect(estimate.trainees).toEqual({ eligible: 0, pending: 0, insufficient: 0, dropped: 0 });
      expect(estimate.att).toBeNull();
    });
  });

  describe('given invalid input', () => {
    it.each([
      [{ windowDays: 0 }, 'windowDays'],
      [{ minOutputs: 0 }, 'minOutputs'],
      [{ horizonDays: -1 }, 'horizonDays'],
      [{ asOf: new Date(Number.NaN) }, 'asOf'],
      [{ resamples: 0 }, 'resamples'],
      [{ activity: [row('t1', 8, 1, 2)] }, 'activity[0].reworked'],
      [{ hourlyCost: () => Number.NaN }, 'hourlyCost'],
    ] as const)('then %j is rejected with a code and the field', (override, field) => {
      try {
        estimateCourseImpact(handBuilt(override as Partial<CourseImpactInput>));
        throw new Error('expected a rejection');
      } catch (error) {
        expect(error).toBeInstanceOf(LedgerError);
        expect(error).toMatchObject({ code: 'TRAINING_IMPACT.INVALID_INPUT', field });
      }
    });
  });
});
