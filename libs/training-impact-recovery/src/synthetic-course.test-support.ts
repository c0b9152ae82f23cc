// Test support, not exported: generated organisations with one course, as the estimator sees them, and their truth.
// The synthetic organisation's ground truth is what the estimator must recover.
import { generateOrganisation, type OrganisationOptions } from '@rework-ledger/demo-data';
import type { TaskType } from '@rework-ledger/domain';
import { aggregateDailyActivity, courseImpactTrainees, estimateCourseImpact, type CourseImpactInput, type Interval } from '@rework-ledger/training-impact';

const DAY_MS = 86_400_000;
const W = 28;
export const ORGANISATIONS = 100;

export type Scenario = { input: CourseImpactInput; trueAtt: number; trueEffect: number };

/**
 * A generated organisation with one course, as the estimator sees it (aggregated like the SQL does), and the true ATT:
 * the mean over eligible trainees of the mean over their post-window outputs of P(rework | trained) − P(rework | not
 * trained), from the generator's own probabilities (so the clamp to [0.01, 0.95] is accounted for).
 */
export function scenario(options: OrganisationOptions): Scenario {
  const organisation = generateOrganisation(options);
  const course = organisation.groundTruth.courses[0];
  const traineeIds = new Set(course.trainees.map((trainee) => trainee.employeeId));
  const events = organisation.allEvents();
  const traineeOutputs: { employeeId: string; ms: number; tool: string; taskType: TaskType }[] = [];
  for (const event of events) {
    if (event.type === 'ai.output.generated' && traineeIds.has(event.data.employeeId)) {
      traineeOutputs.push({ employeeId: event.data.employeeId, ms: Date.parse(event.time), tool: event.data.tool, taskType: event.data.taskType });
    }
  }
  const asOf = organisation.options.end;
  const aggregated = aggregateDailyActivity(events, asOf);
  const hourlyCost = new Map(organisation.groundTruth.employees.map((employee) => [employee.employeeId, employee.assignments[0].hourlyCost]));
  const input: CourseImpactInput = {
    asOf,
    windowDays: W,
    minOutputs: 5,
    horizonDays: 90,
    completions: aggregated.completions.get(course.courseId) ?? [],
    employees: aggregated.employees,
    activity: aggregated.activity,
    hourlyCost: (employeeId) => hourlyCost.get(employeeId) ?? 60,
    costPerSeat: options.courses[0].costPerSeat,
    currencyMatchesTenant: true,
  };

  const truth = organisation.groundTruth;
  const startMs = organisation.options.start.getTime();
  const periodMs = organisation.options.end.getTime() - startMs;
  const [low, high] = truth.reworkProbabilityRange;
  const baseline = new Map(truth.employees.map((employee) => [employee.employeeId, employee.baseline]));
  const eligible = new Map(
    courseImpactTrainees(input)
      .filter((trainee) => trainee.category === 'eligible')
      .map((trainee) => [trainee.employeeId, { day: trainee.day, sum: 0, outputs: 0 }]),
  );
  for (const output of traineeOutputs) {
    const trainee = eligible.get(output.employeeId);
    const day = Math.floor(output.ms / DAY_MS);
    if (trainee === undefined || day < trainee.day || day >= trainee.day + W) continue;
    const untrained =
      (truth.baseReworkProbability[output.taskType] ?? 0) +
      truth.toolReworkOffset[output.tool] +
      (baseline.get(output.employeeId) ?? 0) +
      truth.trend.totalChange * ((output.ms - startMs) / periodMs);
    const trained = organisation.reworkProbability({ ...output, time: new Date(output.ms) });
    trainee.sum += trained - Math.min(high, Math.max(low, untrained));
    trainee.outputs++;
  }
  let sum = 0;
  for (const trainee of eligible.values()) sum += trainee.sum / trainee.outputs;
  return { input, trueAtt: sum / eligible.size, trueEffect: course.trueEffect };
}

export const covers = (interval: Interval | null, value: number): boolean => interval !== null && interval[0] <= value && value <= interval[1];
const width = (interval: Interval | null): number => (interval === null ? Number.NaN : interval[1] - interval[0]);

export type Coverage = { employees: number; trainees: number; nominal: number; placeboFlags: number; meanWidth: { employees: number; trainees: number } };

export function coverage(optionsOf: (seed: number) => OrganisationOptions): Coverage {
  const result: Coverage = { employees: 0, trainees: 0, nominal: 0, placeboFlags: 0, meanWidth: { employees: 0, trainees: 0 } };
  for (let seed = 1; seed <= ORGANISATIONS; seed++) {
    const { input, trueAtt, trueEffect } = scenario(optionsOf(seed));
    const byEmployees = estimateCourseImpact(input);
    const byTrainees = estimateCourseImpact(input, { resampling: 'trainees' });
    if (covers(byEmployees.ci95, trueAtt)) result.employees++;
    if (covers(byTrainees.ci95, trueAtt)) result.trainees++;
    if (covers(byEmployees.ci95, trueEffect)) result.nominal++;
    if (byEmployees.placebo?.flagged) result.placeboFlags++;
    result.meanWidth.employees += width(byEmployees.ci95) / ORGANISATIONS;
    result.meanWidth.trainees += width(byTrainees.ci95) / ORGANISATIONS;
  }
  return result;
}

export function report(name: string, result: Coverage): void {
  console.log(
    `${name}: the 95 % CI covers the true ATT in ${result.employees}/${ORGANISATIONS} organisations resampling employees, ` +
      `${result.trainees}/${ORGANISATIONS} resampling trainees only (mean widths ${result.meanWidth.employees.toFixed(4)} vs ` +
      `${result.meanWidth.trainees.toFixed(4)}); covers the nominal effect in ${result.nominal}; placebo flagged in ${result.placeboFlags}`,
  );
}
