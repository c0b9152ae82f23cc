import type { ActivityColumns, DailyActivity, TraineeCategory } from './course-impact.types';

const DAY_MS = 86_400_000;

/**
 * The Monday (UTC days since 1970-01-01) that starts the ISO week holding `day`. 1970-01-01 was a Thursday, so
 * Mondays are the days with (day + 3) mod 7 = 0; the modulo is taken positive for days before 1970.
 */
export function weekStartDay(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

/**
 * `asOf` snapped DOWN to the start of its ISO week (Monday 00:00 UTC): a Monday at midnight is its own week start.
 * Down, not up: only events before asOf count, so the snapped answer never reads past what the caller asked for
 * (and never into the future at the default asOf, today).
 */
export function snapToWeekStart(asOf: Date): Date {
  return new Date(weekStartDay(Math.floor(asOf.getTime() / DAY_MS)) * DAY_MS);
}

/** The week at which the estimate a non-admin caller sees was published, and how many trainees it covers. */
export type PublishedWeek = Readonly<{ asOf: Date; eligible: number }>;

/**
 * The first UTC day from which each eligible trainee of an estimate as of `asOf` is eligible: dᵢ + W (before it the
 * trainee is pending). For a fixed set of facts the eligible set only grows with asOf and a trainee, once eligible,
 * stays so with the same windows and the same controls (a control has no completion before dᵢ + W ≤ asOf, whatever
 * later asOf is asked), so the eligible set as of any earlier week w is exactly { i : dᵢ + W ≤ w } of this list.
 */
export function eligibleFromDays(trainees: readonly Readonly<{ day: number; category: TraineeCategory }>[], windowDays: number): number[] {
  return trainees.filter((trainee) => trainee.category === 'eligible').map((trainee) => trainee.day + windowDays);
}

/**
 * The estimate that stands for a non-admin caller at week `asOfWeek` (a week start): walking the week starts up to
 * it, a new estimate is published at a week whose eligible set differs from the last published one by at least k
 * trainees (the first: at least k trainees, from the empty set); the last published one stands. The sets are nested
 * (see `eligibleFromDays`), so the symmetric difference is the number of trainees who became eligible since.
 * Derived from the facts alone, without state between queries: any two asOf of the same span of weeks give the same
 * published week, and two published estimates differ by ≥ k trainees — a difference of two answers is never one
 * person's effect. Null when no week has k eligible trainees.
 */
export function publishedWeek(eligibleFrom: readonly number[], asOfWeek: Date, k: number): PublishedWeek | null {
  const lastWeek = Math.floor(asOfWeek.getTime() / DAY_MS);
  const days = eligibleFrom.filter((day) => day <= lastWeek).sort((a, b) => a - b);
  if (days.length < Math.max(1, k)) return null;
  // The first week start on or after the first eligibility day, then week by week.
  let week = weekStartDay(days[0]) + (weekStartDay(days[0]) === days[0] ? 0 : 7);
  let eligible = 0;
  let published: PublishedWeek | null = null;
  for (; week <= lastWeek; week += 7) {
    while (eligible < days.length && days[eligible] <= week) eligible++;
    if (eligible - (published?.eligible ?? 0) >= Math.max(1, k)) published = { asOf: new Date(week * DAY_MS), eligible };
  }
  return published;
}

/**
 * The activity as of an earlier time, from the activity as the employee months hold it now: the rows of days at or
 * after `asOfDay` left out (with the employees left without rows), and from each employee-day the rework done at or
 * after asOf (`later`: the outputs first reworked then and those reworks' minutes) taken off. The result is what an
 * aggregation of the outputs "as of" asOf gives, without aggregating them.
 */
export function activityAsOf(recorded: ActivityColumns, later: readonly DailyActivity[], asOfDay: number): ActivityColumns {
  const laterOf = new Map<string, DailyActivity>();
  for (const row of later) laterOf.set(`${row.employeeId}\u0000${row.day}`, row);
  const R = recorded.day.length;
  const employeeIds: string[] = [];
  const rowStart: number[] = [0];
  const day = new Int32Array(R);
  const outputs = new Int32Array(R);
  const reworked = new Int32Array(R);
  const reworkMinutes = new Float64Array(R);
  let n = 0;
  recorded.employeeIds.forEach((employeeId, e) => {
    const before = n;
    for (let r = recorded.rowStart[e]; r < recorded.rowStart[e + 1]; r++) {
      if (recorded.day[r] >= asOfDay) continue;
      const done = laterOf.size === 0 ? undefined : laterOf.get(`${employeeId}\u0000${recorded.day[r]}`);
      day[n] = recorded.day[r];
      outputs[n] = recorded.outputs[r];
      // Never below zero: sums of the same minutes in another order can differ in the last bit, and a batch projected
      // between the two reads can show rework the months read before it did not hold yet (the next answer is
      // computed again: the read models moved on).
      reworked[n] = Math.max(0, recorded.reworked[r] - (done?.reworked ?? 0));
      reworkMinutes[n] = Math.max(0, recorded.reworkMinutes[r] - (done?.reworkMinutes ?? 0));
      n++;
    }
    if (n === before) return;
    employeeIds.push(employeeId);
    rowStart.push(n);
  });
  return {
    employeeIds,
    rowStart: Int32Array.from(rowStart),
    day: day.slice(0, n),
    outputs: outputs.slice(0, n),
    reworked: reworked.slice(0, n),
    reworkMinutes: reworkMinutes.slice(0, n),
  };
}
