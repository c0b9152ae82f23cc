import type { CourseCompletion, DailyActivity } from './course-impact.types';

const DAY_MS = 86_400_000;

/** A contract-v1 event as far as the training-impact aggregation reads it (CloudEvents `type`, `time`, `data`). */
export type ActivityEvent = Readonly<{ type: string; time: string; data: unknown }>;

export type AggregatedActivity = Readonly<{
  /** One row per employee and UTC day with outputs, ordered by employee id then day. */
  activity: readonly DailyActivity[];
  /** Every `training.completed` before asOf, by course. */
  completions: ReadonlyMap<string, readonly CourseCompletion[]>;
  /** Everyone assigned, authoring an output or completing a course before asOf, in id order. */
  employees: readonly string[];
}>;

/** Rework kinds that make an output reworked (double-checks do not). */
const REWORK_TYPES = new Set(['ai.output.corrected', 'ai.output.rewritten', 'ai.output.discarded']);

/**
 * The reference of the aggregation the estimator expects (the SQL does the same on the event store): only events with
 * time < asOf; an output counts on the UTC day of its generation, once (the first `generated` event); it is reworked
 * when it has a corrected, rewritten or discarded event, and reworkMinutes sums those events' `minutesSpent`.
 * Rework whose output never arrived counts nowhere. Events may come in any order.
 */
export function aggregateDailyActivity(events: Iterable<ActivityEvent>, asOf: Date): AggregatedActivity {
  const asOfMs = asOf.getTime();
  const outputs = new Map<string, { employeeId: string; day: number }>();
  const rework = new Map<string, number>();
  const completions = new Map<string, CourseCompletion[]>();
  const employees = new Set<string>();

  for (const event of events) {
    const ms = Date.parse(event.time);
    if (!(ms < asOfMs)) continue;
    const data = event.data as Record<string, unknown>;
    if (event.type === 'ai.output.generated') {
      const outputId = String(data['outputId']);
      const employeeId = String(data['employeeId']);
      employees.add(employeeId);
      if (!outputs.has(outputId)) outputs.set(outputId, { employeeId, day: Math.floor(ms / DAY_MS) });
    } else if (REWORK_TYPES.has(event.type)) {
      const outputId = String(data['outputId']);
      rework.set(outputId, (rework.get(outputId) ?? 0) + Number(data['minutesSpent']));
    } else if (event.type === 'training.completed') {
      const courseId = String(data['courseId']);
      const employeeId = String(data['employeeId']);
      employees.add(employeeId);
      const list = completions.get(courseId);
      const completion = { employeeId, completedAt: new Date(ms) };
      if (list === undefined) completions.set(courseId, [completion]);
      else list.push(completion);
    } else if (event.type === 'employee.assigned') {
      employees.add(String(data['employeeId']));
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
