import type { LedgerEvent } from '@rework-ledger/domain';
import type { CourseCompletion, DailyActivity } from './course-impact.types';

const DAY_MS = 86_400_000;

/** A contract-v1 event as far as the training-impact aggregation reads it (CloudEvents `type`, `time`, `data`). */
export type ActivityEvent = Readonly<{ time: string }> & LedgerEvent;

export type AggregatedActivity = Readonly<{
  /** One row per employee and UTC day with outputs, ordered by employee id then day. */
  activity: readonly DailyActivity[];
  /** Every `training.completed` before asOf that no `training.completion_retracted` withdraws, by course. */
  completions: ReadonlyMap<string, readonly CourseCompletion[]>;
  /** Everyone assigned, authoring an output or completing a course before asOf, in id order. */
  employees: readonly string[];
}>;

/**
 * The reference of the aggregation the estimator expects (the SQL does the same on the event store): only events with
 * time < asOf; an output counts on the UTC day of its generation, once (the first `generated` event); it is reworked
 * when it has a corrected, rewritten or discarded event, and reworkMinutes sums those events' `minutesSpent`.
 * Rework whose output never arrived counts nowhere. A `training.completion_retracted` withdraws the employee's
 * completions of the course before its time, whatever the asOf (the training read model's `withdrawnSql`). Events may
 * come in any order.
 */
export function aggregateDailyActivity(events: Iterable<ActivityEvent>, asOf: Date): AggregatedActivity {
  const asOfMs = asOf.getTime();
  const outputs = new Map<string, { employeeId: string; day: number }>();
  const rework = new Map<string, number>();
  const completions = new Map<string, CourseCompletion[]>();
  const employees = new Set<string>();
  /** Per course and employee, the latest retraction's time: it withdraws every completion before it. */
  const retractedUntil = new Map<string, number>();
  const retractionKey = (courseId: string, employeeId: string) => `${courseId}\u0000${employeeId}`;

  for (const event of events) {
    const ms = Date.parse(event.time);
    // A retraction applies whatever the asOf.
    if (event.type === 'training.completion_retracted') {
      const key = retractionKey(event.data.courseId, event.data.employeeId);
      retractedUntil.set(key, Math.max(retractedUntil.get(key) ?? -Infinity, ms));
      continue;
    }
    if (!(ms < asOfMs)) continue;
    switch (event.type) {
      case 'ai.output.generated': {
        const { outputId, employeeId } = event.data;
        employees.add(employeeId);
        if (!outputs.has(outputId)) outputs.set(outputId, { employeeId, day: Math.floor(ms / DAY_MS) });
        break;
      }
      // The rework kinds that make an output reworked (double-checks do not).
      case 'ai.output.corrected':
      case 'ai.output.rewritten':
      case 'ai.output.discarded': {
        const { outputId, minutesSpent } = event.data;
        rework.set(outputId, (rework.get(outputId) ?? 0) + minutesSpent);
        break;
      }
      case 'training.completed': {
        const { courseId, employeeId } = event.data;
        employees.add(employeeId);
        const list = completions.get(courseId);
        const completion = { employeeId, completedAt: new Date(ms) };
        if (list === undefined) completions.set(courseId, [completion]);
        else list.push(completion);
        break;
      }
      case 'employee.assigned':
        employees.add(event.data.employeeId);
        break;
    }
  }

  const rows = new Map<string, Map<number, { outputs: number; reworked: number; reworkMinutes: number }>>();
  for (const [outputId, output] of outputs) {
    let byDay = rows.get(output.employeeId);
    if (byDay === undefined) rows.set(output.employeeId, (byDay = new Map()));
    let row = byDay.get(output.day);
    if (row === undefined) byDay.set(output.day, (row = { outputs: 0, reworked: 0, reworkMinutes: 0 }));
    row.outputs++;
    const minutes = rework.get(outputId);
    if (minutes !== undefined) {
      row.reworked++;
      row.reworkMinutes += minutes;
    }
  }
  for (const [courseId, list] of completions) {
    const standing = list.filter((completion) => !(completion.completedAt.getTime() < (retractedUntil.get(retractionKey(courseId, completion.employeeId)) ?? -Infinity)));
    if (standing.length > 0) completions.set(courseId, standing);
    else completions.delete(courseId);
  }
  const activity: DailyActivity[] = [];
  for (const employeeId of [...rows.keys()].sort(compareCodeUnits)) {
    const byDay = rows.get(employeeId) as Map<number, { outputs: number; reworked: number; reworkMinutes: number }>;
    for (const day of [...byDay.keys()].sort((a, b) => a - b)) activity.push({ employeeId, day, ...(byDay.get(day) as { outputs: number; reworked: number; reworkMinutes: number }) });
  }
  return { activity, completions, employees: [...employees].sort(compareCodeUnits) };
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
