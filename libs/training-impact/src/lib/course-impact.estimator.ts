import { LedgerError } from '@rework-ledger/domain';
import { employeeBootstrap, pointEstimate, traineeBootstrap, type BootstrapDraws, type PointEstimate } from './course-impact.bootstrap';
import { prepareCourseImpact, type ComparisonGroups, type PreparedCourseImpact } from './course-impact.design';
import {
  DEFAULT_BOOTSTRAP_SEED,
  DEFAULT_RESAMPLES,
  type CourseImpactEstimate,
  type CourseImpactInput,
  type CourseImpactValue,
  type Interval,
  type Resampling,
  type TraineeCounts,
  type TraineeWindows,
} from './course-impact.types';
import { DEFAULT_BOOTSTRAP_THREADS, employeeBootstrapInWorkers } from './course-impact.worker-pool';
import { percentileInterval95 } from './resample-stream';

export type CourseImpactOptions = Readonly<{
  /** 'employees' (default) is the product's definition; 'trainees' is the overconfident variant, for comparison. */
  resampling?: Resampling;
}>;

/** Options of `estimateCourseImpactInParallel`: those of `estimateCourseImpact`, and how to use the worker threads. */
export type ParallelCourseImpactOptions = CourseImpactOptions &
  Readonly<{
    /** Worker threads sharing the resamples (default DEFAULT_BOOTSTRAP_THREADS, at most 16); ≤ 1: the calling thread alone. */
    threads?: number;
    /** Employees × resamples below which the calling thread resamples alone, starting threads costing more (default 1,000,000). */
    sequentialBelow?: number;
  }>;

/** Below this many employees × resamples, the bootstrap runs on the calling thread (see the README's figures). */
export const SEQUENTIAL_BOOTSTRAP_BELOW = 1_000_000;

/**
 * The training impact of one course (PRODUCT.md, metric definitions v1): difference-in-differences ATT against
 * not-yet-trained colleagues, naive before/after, percentile-bootstrap CI, placebo pre-trend check, value and ROI.
 * Pure and deterministic: the same input (and seed) gives the same answer.
 */
export function estimateCourseImpact(input: CourseImpactInput, options: CourseImpactOptions = {}): CourseImpactEstimate {
  const design = designOf(input);
  const draws = (options.resampling ?? 'employees') === 'employees' ? employeeBootstrap(design.plan, design.employeeIds.length, design.resamples, design.seed) : traineeDraws(design);
  return estimateOf(input, design, draws);
}

/**
 * `estimateCourseImpact` with the employee bootstrap spread over worker threads: the same estimate, to the last bit
 * (every resample has its own stream, whichever thread draws it). The preparation runs on the calling thread.
 */
export async function estimateCourseImpactInParallel(input: CourseImpactInput, options: ParallelCourseImpactOptions = {}): Promise<CourseImpactEstimate> {
  const threads = options.threads ?? DEFAULT_BOOTSTRAP_THREADS;
  if (!Number.isInteger(threads)) throw new LedgerError('TRAINING_IMPACT.INVALID_INPUT', 'threads must be an integer', 'threads');
  const design = designOf(input);
  if ((options.resampling ?? 'employees') !== 'employees') return estimateOf(input, design, traineeDraws(design));
  const { plan, employeeIds, resamples, seed } = design;
  const noTrainee = design.main === null && design.placebo === null;
  const draws =
    threads <= 1 || noTrainee || employeeIds.length * resamples < (options.sequentialBelow ?? SEQUENTIAL_BOOTSTRAP_BELOW)
      ? employeeBootstrap(plan, employeeIds.length, resamples, seed)
      : await employeeBootstrapInWorkers(plan, employeeIds.length, resamples, seed, threads);
  return estimateOf(input, design, draws);
}

/** The prepared comparisons, the bootstrap's parameters and both point estimates. */
type Design = PreparedCourseImpact & { resamples: number; seed: number; main: PointEstimate | null; placebo: PointEstimate | null };

function designOf(input: CourseImpactInput): Design {
  const prepared = prepareCourseImpact(input);
  return {
    ...prepared,
    resamples: input.resamples ?? DEFAULT_RESAMPLES,
    seed: input.seed ?? DEFAULT_BOOTSTRAP_SEED,
    main: pointEstimate(prepared.plan.main),
    placebo: pointEstimate(prepared.plan.placebo),
  };
}

function traineeDraws({ plan, main, placebo, resamples, seed }: Design): BootstrapDraws {
  return {
    main: main === null ? null : traineeBootstrap(inEmployeeOrder(plan.main, main.effects), resamples, seed),
    placebo: placebo === null ? null : traineeBootstrap(inEmployeeOrder(plan.placebo, placebo.effects), resamples, seed),
  };
}

function estimateOf(input: CourseImpactInput, { trainees, main, placebo }: Design, draws: BootstrapDraws): CourseImpactEstimate {
  const ci95 = main === null || draws.main === null ? null : percentileInterval95(draws.main);
  const placeboCi95 = placebo === null || draws.placebo === null ? null : percentileInterval95(draws.placebo);
  return {
    att: main === null ? null : main.att,
    naive: main === null ? null : main.naive,
    ci95,
    significant: excludesZero(ci95),
    placebo: placebo === null ? null : { att: placebo.att, ci95: placeboCi95, flagged: excludesZero(placeboCi95) },
    trainees: countTrainees(trainees),
    value: valueOf(input, trainees, main === null ? null : main.att, ci95),
  };
}

/** Every trainee (first completion < asOf) with their category, windows and control counts, in employee-id order. */
export function courseImpactTrainees(input: CourseImpactInput): readonly TraineeWindows[] {
  return prepareCourseImpact(input).trainees;
}

function excludesZero(interval: Interval | null): boolean {
  return interval !== null && (interval[0] > 0 || interval[1] < 0);
}

function countTrainees(trainees: readonly TraineeWindows[]): TraineeCounts {
  const counts: TraineeCounts = { eligible: 0, pending: 0, insufficient: 0, dropped: 0 };
  for (const trainee of trainees) counts[trainee.category]++;
  return counts;
}

/** The trainee effects reordered by employee index (a design lists them by completion day first). */
function inEmployeeOrder(groups: ComparisonGroups, effects: Float64Array): Float64Array {
  const order = Array.from(groups.traineeOffset.keys()).sort((a, b) => groups.traineeOffset[a] - groups.traineeOffset[b]);
  return Float64Array.from(order, (k) => effects[k]);
}

/** Value, cost, ROI and payback of PRODUCT.md, at the ATT and at both ends of its CI. */
function valueOf(input: CourseImpactInput, trainees: readonly TraineeWindows[], att: number | null, ci95: Interval | null): CourseImpactValue {
  const eligible = trainees.filter((trainee) => trainee.category === 'eligible');
  const cost = eligible.length * input.costPerSeat;
  let preMinutes = 0;
  let preReworked = 0;
  let postOutputs = 0;
  let hourlyCostSum = 0;
  for (const trainee of eligible) {
    preMinutes += trainee.pre.reworkMinutes;
    preReworked += trainee.pre.reworked;
    postOutputs += trainee.post.outputs;
    const hourlyCost = input.hourlyCost(trainee.employeeId);
    if (!Number.isFinite(hourlyCost) || hourlyCost < 0) {
      throw new LedgerError('TRAINING_IMPACT.INVALID_INPUT', `hourly cost of ${trainee.employeeId} must be a finite number ≥ 0`, 'hourlyCost');
    }
    hourlyCostSum += hourlyCost;
  }
  const minutesPerReworkedOutput = preReworked === 0 ? null : preMinutes / preReworked;
  const meanHourlyCost = eligible.length === 0 ? null : hourlyCostSum / eligible.length;
  const W = input.windowDays;
  const H = input.horizonDays;

  const avoidedAt = (effect: number): number => positiveZero(-effect * postOutputs * (H / W));
  const hoursAt = (effect: number): number | null => (minutesPerReworkedOutput === null ? null : (avoidedAt(effect) * minutesPerReworkedOutput) / 60);
  const valueAt = (effect: number): number | null => {
    const hours = hoursAt(effect);
    return hours === null || meanHourlyCost === null ? null : hours * meanHourlyCost;
  };
  const roiOf = (value: number | null): number | null =>
    value === null || cost === 0 || !input.currencyMatchesTenant ? null : (value - cost) / cost;

  const valueSaved = att === null ? null : valueAt(att);
  // The lower end of the CI (the larger reduction of rework) gives the higher value.
  const valueLow = ci95 === null ? null : valueAt(ci95[1]);
  const valueHigh = ci95 === null ? null : valueAt(ci95[0]);
  const roiLow = roiOf(valueLow);
  const roiHigh = roiOf(valueHigh);
  return {
    minutesPerReworkedOutput,
    avoidedReworks: att === null ? null : avoidedAt(att),
    hoursSaved: att === null ? null : hoursAt(att),
    valueSaved,
    valueSavedRange: valueLow === null || valueHigh === null ? null : [valueLow, valueHigh],
    cost,
    roi: roiOf(valueSaved),
    roiRange: roiLow === null || roiHigh === null ? null : [roiLow, roiHigh],
    paybackDays: valueSaved === null || valueSaved <= 0 || !input.currencyMatchesTenant ? null : cost / (valueSaved / H),
  };
}

/** −0 (from −ATT when ATT = 0) reads as 0. */
function positiveZero(x: number): number {
  return x === 0 ? 0 : x;
}
