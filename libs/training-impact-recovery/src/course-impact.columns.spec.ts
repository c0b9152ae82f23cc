import { preset } from '@rework-ledger/demo-data';
import { LedgerError } from '@rework-ledger/domain';
import { estimateCourseImpact, type ActivityColumns, type DailyActivity } from '@rework-ledger/training-impact';
import { scenario } from './synthetic-course.test-support';

/** The rows as columns, employees in reverse order of their first row (any order must do). */
function asColumns(rows: readonly DailyActivity[]): ActivityColumns {
  const byEmployee = new Map<string, DailyActivity[]>();
  for (const row of rows) byEmployee.set(row.employeeId, [...(byEmployee.get(row.employeeId) ?? []), row]);
  const employeeIds = [...byEmployee.keys()].reverse();
  const ordered = employeeIds.flatMap((employeeId) => byEmployee.get(employeeId) ?? []);
  const rowStart = new Int32Array(employeeIds.length + 1);
  employeeIds.forEach((employeeId, e) => (rowStart[e + 1] = rowStart[e] + (byEmployee.get(employeeId)?.length ?? 0)));
  return {
    employeeIds,
    rowStart,
    day: Int32Array.from(ordered, (row) => row.day),
    outputs: Int32Array.from(ordered, (row) => row.outputs),
    reworked: Int32Array.from(ordered, (row) => row.reworked),
    reworkMinutes: Float64Array.from(ordered, (row) => row.reworkMinutes),
  };
}

describe('estimateCourseImpact with the activity as columns', () => {
  it('given the same activity as rows or as columns, then the estimate is the same', () => {
    const { input } = scenario(preset('small', { seed: 3, tenant: 'columns' }));
    expect(estimateCourseImpact({ ...input, activity: asColumns(input.activity as DailyActivity[]) })).toEqual(estimateCourseImpact(input));
  });

  it('given columns that do not line up, then the input is rejected with the field', () => {
    const { input } = scenario(preset('small', { seed: 3, tenant: 'columns' }));
    const columns = asColumns(input.activity as DailyActivity[]);
    const reject = (activity: ActivityColumns, field: string) => {
      expect(() => estimateCourseImpact({ ...input, activity })).toThrow(LedgerError);
      expect(() => estimateCourseImpact({ ...input, activity })).toThrow(expect.objectContaining({ field }));
    };
    reject({ ...columns, rowStart: columns.rowStart.slice(1) }, 'activity.rowStart');
    reject({ ...columns, outputs: columns.outputs.slice(1) }, 'activity');
    const reworked = columns.reworked.slice();
    reworked[0] = columns.outputs[0] + 1;
    reject({ ...columns, reworked }, 'activity[0].reworked');
  });
});
