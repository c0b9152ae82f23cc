import { LedgerError } from '@rework-ledger/domain';
import { LANES } from './course-impact.bootstrap-kernel';
import type { ActivityColumns, CourseImpactInput, DailyActivity, TraineeCategory, TraineeWindows, WindowCounts } from './course-impact.types';

const DAY_MS = 86_400_000;

/**
 * The trainees of one comparison grouped by completion day d, and each group's step (see ImpactPlan). Group g's
 * trainees are [traineeStart[g], traineeStart[g+1]); offsets are employee index × LANES (the bootstrap's layout).
 */
export type ComparisonGroups = Readonly<{
  groups: number;
  step: Int32Array;
  traineeStart: Int32Array;
  traineeOffset: Int32Array;
  /** Each trainee's own change: rate(later window) − rate(earlier window). */
  traineeDelta: Float64Array;
  /** |C| and Σ Δ over the group's controls, summed directly (for the point estimate). */
  controlCount: Int32Array;
  controlSum: Float64Array;
}>;

/**
 * Both comparisons over one sequence of steps. Step e has windows [e − W, e) and [e, e + W); its control set C(e)
 * holds the employees with no completion before e + W and ≥ m outputs in both. The estimate's group for completion
 * day d uses step e = d; the placebo's uses step e = d − W (its windows are the estimate's shifted back by W) minus
 * the corrections: members of C(e) who completed before d + W. Consecutive steps share most controls and most of their
 * Δs, so C(e) is given as its change from the previous step (the first: from the empty set) — Δs that changed,
 * controls that entered or left — and the bootstrap keeps running sums Σ wⱼ and Σ wⱼΔⱼ from step to step.
 */
export type ImpactPlan = Readonly<{
  steps: number;
  /** Σ Δⱼ over C(e) changes by Σ changeDelta over [changeStart[e], changeStart[e+1]). */
  changeStart: Int32Array;
  changeOffset: Int32Array;
  changeDelta: Float64Array;
  enterStart: Int32Array;
  enterOffset: Int32Array;
  leaveStart: Int32Array;
  leaveOffset: Int32Array;
  main: ComparisonGroups;
  placebo: ComparisonGroups;
  /** Per placebo group: the members of its step's C(e) excluded from its controls, with their Δ. */
  correctionStart: Int32Array;
  correctionOffset: Int32Array;
  correctionDelta: Float64Array;
}>;

export type PreparedCourseImpact = Readonly<{
  /** The employees resampled by the bootstrap, in employee-id order (UTF-16 code units). */
  employeeIds: readonly string[];
  /** Every trainee whose first completion is before asOf, in employee-id order. */
  trainees: readonly TraineeWindows[];
  plan: ImpactPlan;
}>;

type Measured = { employee: number; day: number; pending: boolean; placeboPre: WindowCounts; pre: WindowCounts; post: WindowCounts };

/** The trainees (first completion before asOf) with their windows' counts, over the activity indexed by employee. */
function measureTrainees(input: CourseImpactInput) {
  assertValidInput(input);
  const asOfMs = input.asOf.getTime();
  const W = input.windowDays;
  const m = input.minOutputs;

  const firstCompletion = new Map<string, number>();
  for (const completion of input.completions) {
    const ms = completion.completedAt.getTime();
    if (!(ms < asOfMs)) continue;
    const earlier = firstCompletion.get(completion.employeeId);
    if (earlier === undefined || ms < earlier) firstCompletion.set(completion.employeeId, ms);
  }

  const idSet = new Set(input.employees);
  for (const employeeId of firstCompletion.keys()) idSet.add(employeeId);
  const employeeIds = [...idSet].sort(compareCodeUnits);
  const N = employeeIds.length;
  const indexOf = new Map(employeeIds.map((id, i) => [id, i]));
  const completionMs = new Float64Array(N).fill(Infinity);
  for (const [employeeId, ms] of firstCompletion) completionMs[indexOf.get(employeeId) as number] = ms;

  const activity = indexActivity(input.activity, indexOf, N);
  const { cumOutputs: O, cumReworked: R, cumMinutes: M } = activity;
  const counts = (from: number, to: number): WindowCounts => ({ outputs: O[to] - O[from], reworked: R[to] - R[from], reworkMinutes: M[to] - M[from] });
  const none: WindowCounts = { outputs: 0, reworked: 0, reworkMinutes: 0 };

  const measured: Measured[] = [];
  for (let i = 0; i < N; i++) {
    if (completionMs[i] === Infinity) continue;
    const d = Math.floor(completionMs[i] / DAY_MS);
    if ((d + W) * DAY_MS > asOfMs) {
      measured.push({ employee: i, day: d, pending: true, placeboPre: none, pre: none, post: none });
      continue;
    }
    const [q0, q1, q2, q3] = [d - 2 * W, d - W, d, d + W].map((bound) => firstRowFrom(activity, i, bound));
    measured.push({ employee: i, day: d, pending: false, placeboPre: counts(q0, q1), pre: counts(q1, q2), post: counts(q2, q3) });
  }
  return { employeeIds, completionMs, activity, measured, W, m };
}

/**
 * Each trainee's category alone — what `prepareCourseImpact` gives, without building the comparisons: a trainee
 * with ≥ m outputs in both windows is eligible when at least one control exists for its completion day (searched
 * employee by employee, stopping at the first), else dropped. For deciding which estimate to publish.
 */
export function traineeCategories(input: CourseImpactInput): readonly Readonly<{ employeeId: string; day: number; category: TraineeCategory }>[] {
  const { employeeIds, completionMs, activity, measured, W, m } = measureTrainees(input);
  const O = activity.cumOutputs;
  const hasControl = new Map<number, boolean>();
  const controlExists = (d: number): boolean => {
    for (let j = 0; j < employeeIds.length; j++) {
      if (completionMs[j] < (d + W) * DAY_MS || activity.start[j] === activity.start[j + 1]) continue;
      const [q1, q2, q3] = [d - W, d, d + W].map((bound) => firstRowFrom(activity, j, bound));
      if (O[q2] - O[q1] >= m && O[q3] - O[q2] >= m) return true;
    }
    return false;
  };
  return measured.map((t) => {
    let category: TraineeCategory = 'pending';
    if (!t.pending) {
      if (t.pre.outputs < m || t.post.outputs < m) category = 'insufficient';
      else {
        if (!hasControl.has(t.day)) hasControl.set(t.day, controlExists(t.day));
        category = hasControl.get(t.day) ? 'eligible' : 'dropped';
      }
    }
    return { employeeId: employeeIds[t.employee], day: t.day, category };
  });
}

/**
 * Validates the input and builds both comparisons: the estimate's windows [d − W, d), [d, d + W) and the placebo's
 * [d − 2W, d − W), [d − W, d), over the completion days of trainees with ≥ m outputs in both windows.
 */
export function prepareCourseImpact(input: CourseImpactInput): PreparedCourseImpact {
  const { employeeIds, completionMs, activity, measured, W, m } = measureTrainees(input);
  const enoughForMain = (t: Measured): boolean => !t.pending && t.pre.outputs >= m && t.post.outputs >= m;
  const enoughForPlacebo = (t: Measured): boolean => !t.pending && t.placeboPre.outputs >= m && t.pre.outputs >= m;
  const mainDays = sortedDays(measured.filter(enoughForMain));
  const placeboDays = sortedDays(measured.filter(enoughForPlacebo));
  const controls = walkControls(activity, completionMs, mainDays, placeboDays, W, m);

  const trainees: TraineeWindows[] = [];
  const mainTrainees: GroupedTrainee[] = [];
  const placeboTrainees: GroupedTrainee[] = [];
  const mainGroupOf = new Map(mainDays.map((d, g) => [d, g]));
  const placeboGroupOf = new Map(placeboDays.map((d, g) => [d, g]));
  for (const t of measured) {
    const mainGroup = enoughForMain(t) ? (mainGroupOf.get(t.day) as number) : -1;
    const placeboGroup = enoughForPlacebo(t) ? (placeboGroupOf.get(t.day) as number) : -1;
    const controlCount = mainGroup < 0 ? 0 : controls.main.controlCount[mainGroup];
    const placeboControlCount = placeboGroup < 0 ? 0 : controls.placebo.controlCount[placeboGroup];
    const category: TraineeCategory = t.pending ? 'pending' : mainGroup < 0 ? 'insufficient' : controlCount === 0 ? 'dropped' : 'eligible';
    const trainee: TraineeWindows = {
      employeeId: employeeIds[t.employee],
      day: t.day,
      category,
      placebo: placeboControlCount > 0,
      pre: t.pre,
      post: t.post,
      placeboPre: t.placeboPre,
      controls: controlCount,
      placeboControls: placeboControlCount,
    };
    trainees.push(trainee);
    if (category === 'eligible') mainTrainees.push({ group: mainGroup, employee: t.employee, delta: rate(t.post) - rate(t.pre) });
    if (trainee.placebo) placeboTrainees.push({ group: placeboGroup, employee: t.employee, delta: rate(t.pre) - rate(t.placeboPre) });
  }
  return {
    employeeIds,
    trainees,
    plan: {
      ...controls.steps,
      main: { ...controls.main, ...traineeColumns(mainTrainees, mainDays.length) },
      placebo: { ...controls.placebo, ...traineeColumns(placeboTrainees, placeboDays.length) },
    },
  };
}

function rate(window: WindowCounts): number {
  return window.reworked / window.outputs;
}

function sortedDays(trainees: readonly { day: number }[]): number[] {
  return [...new Set(trainees.map((t) => t.day))].sort((a, b) => a - b);
}

type GroupedTrainee = { group: number; employee: number; delta: number };

/** Trainees grouped by completion day (a counting sort: employee order kept within a day). */
function traineeColumns(trainees: readonly GroupedTrainee[], groups: number): Pick<ComparisonGroups, 'traineeStart' | 'traineeOffset' | 'traineeDelta'> {
  const traineeStart = new Int32Array(groups + 1);
  for (const t of trainees) traineeStart[t.group + 1]++;
  for (let g = 0; g < groups; g++) traineeStart[g + 1] += traineeStart[g];
  const cursor = traineeStart.slice(0, groups);
  const traineeOffset = new Int32Array(trainees.length);
  const traineeDelta = new Float64Array(trainees.length);
  for (const t of trainees) {
    const k = cursor[t.group]++;
    traineeOffset[k] = t.employee * LANES;
    traineeDelta[k] = t.delta;
  }
  return { traineeStart, traineeOffset, traineeDelta };
}

/**
 * Entries (slot, employee offset, Δ) collected employee by employee, then regrouped by slot with a counting sort
 * that keeps employee order within a slot.
 */
class SlottedEntries {
  private slot: Int32Array;
  private offset: Int32Array;
  private delta: Float64Array;
  private length = 0;
  private readonly counts: Int32Array;

  constructor(
    private readonly slots: number,
    capacity: number,
  ) {
    this.counts = new Int32Array(slots + 1);
    this.slot = new Int32Array(Math.max(16, capacity));
    this.offset = new Int32Array(Math.max(16, capacity));
    this.delta = new Float64Array(Math.max(16, capacity));
  }

  push(slot: number, offset: number, delta: number): void {
    if (this.length === this.slot.length) this.grow();
    this.slot[this.length] = slot;
    this.offset[this.length] = offset;
    this.delta[this.length] = delta;
    this.length++;
    this.counts[slot + 1]++;
  }

  bySlot(): { start: Int32Array; offset: Int32Array; delta: Float64Array } {
    const start = this.counts.slice();
    for (let k = 0; k < this.slots; k++) start[k + 1] += start[k];
    const cursor = start.slice(0, this.slots);
    const offset = new Int32Array(this.length);
    const delta = new Float64Array(this.length);
    for (let k = 0; k < this.length; k++) {
      const at = cursor[this.slot[k]]++;
      offset[at] = this.offset[k];
      delta[at] = this.delta[k];
    }
    return { start, offset, delta };
  }

  private grow(): void {
    const capacity = this.slot.length * 2;
    const slot = new Int32Array(capacity);
    slot.set(this.slot);
    this.slot = slot;
    const offset = new Int32Array(capacity);
    offset.set(this.offset);
    this.offset = offset;
    const delta = new Float64Array(capacity);
    delta.set(this.delta);
    this.delta = delta;
  }
}

type StepContext = Readonly<{
  activity: ActivityIndex;
  stepDays: Int32Array;
  mainGroup: Int32Array;
  placeboGroup: Int32Array;
  W: number;
  m: number;
  changes: SlottedEntries;
  enters: SlottedEntries;
  leaves: SlottedEntries;
  corrections: SlottedEntries;
  mainCount: Int32Array;
  mainSum: Float64Array;
  placeboCount: Int32Array;
  placeboSum: Float64Array;
}>;

/**
 * The steps and control sets of both comparisons, employee by employee (the employee's rows stay in cache; the
 * three window bounds only move forward).
 */
function walkControls(activity: ActivityIndex, completionMs: Float64Array, mainDays: readonly number[], placeboDays: readonly number[], W: number, m: number) {
  const N = activity.start.length - 1;
  const stepDays = Int32Array.from(new Set([...mainDays, ...placeboDays.map((d) => d - W)])).sort();
  const S = stepDays.length;
  const mainGroupOfDay = new Map(mainDays.map((d, g) => [d, g]));
  const placeboGroupOfDay = new Map(placeboDays.map((d, g) => [d, g]));
  const context: StepContext = {
    activity,
    stepDays,
    mainGroup: Int32Array.from(stepDays, (e) => mainGroupOfDay.get(e) ?? -1),
    placeboGroup: Int32Array.from(stepDays, (e) => placeboGroupOfDay.get(e + W) ?? -1),
    W,
    m,
    // Capacity hints (the lists grow past them): about one change per activity row; most employees enter and leave once.
    changes: new SlottedEntries(S, Math.min(S * N, activity.day.length + N)),
    enters: new SlottedEntries(S, N),
    leaves: new SlottedEntries(S, N),
    corrections: new SlottedEntries(placeboDays.length, N),
    mainCount: new Int32Array(mainDays.length),
    mainSum: new Float64Array(mainDays.length),
    placeboCount: new Int32Array(placeboDays.length),
    placeboSum: new Float64Array(placeboDays.length),
  };
  for (let j = 0; j < N; j++) if (activity.start[j] < activity.start[j + 1]) walkEmployee(context, j, completionMs[j]);

  const { mainGroup, placeboGroup, mainCount, mainSum, placeboCount, placeboSum } = context;
  const changes = context.changes.bySlot();
  const enters = context.enters.bySlot();
  const leaves = context.leaves.bySlot();
  const corrections = context.corrections.bySlot();
  const stepOfGroup = (groupOfStep: Int32Array, groups: number): Int32Array => {
    const step = new Int32Array(groups);
    groupOfStep.forEach((g, u) => {
      if (g >= 0) step[g] = u;
    });
    return step;
  };
  return {
    steps: {
      steps: S,
      changeStart: changes.start,
      changeOffset: changes.offset,
      changeDelta: changes.delta,
      enterStart: enters.start,
      enterOffset: enters.offset,
      leaveStart: leaves.start,
      leaveOffset: leaves.offset,
      correctionStart: corrections.start,
      correctionOffset: corrections.offset,
      correctionDelta: corrections.delta,
    },
    main: { groups: mainDays.length, step: stepOfGroup(mainGroup, mainDays.length), controlCount: mainCount, controlSum: mainSum },
    placebo: { groups: placeboDays.length, step: stepOfGroup(placeboGroup, placeboDays.length), controlCount: placeboCount, controlSum: placeboSum },
  };
}

/** One employee's membership of C(e) step by step, recorded as changes, entries, exits and corrections. */
function walkEmployee(context: StepContext, j: number, completion: number): void {
  const { activity, stepDays, mainGroup, placeboGroup, W, m } = context;
  const { start, day, cumOutputs: O, cumReworked: R } = activity;
  const end = start[j + 1];
  const offset = j * LANES;
  let q0 = start[j];
  let q1 = q0;
  let q2 = q0;
  let was = false;
  let previous = 0;
  for (let u = 0; u < stepDays.length; u++) {
    const e = stepDays[u];
    let is = false;
    let current = 0;
    if (completion >= (e + W) * DAY_MS) {
      while (q0 < end && day[q0] < e - W) q0++;
      if (q1 < q0) q1 = q0;
      while (q1 < end && day[q1] < e) q1++;
      if (q2 < q1) q2 = q1;
      while (q2 < end && day[q2] < e + W) q2++;
      const outputsPre = O[q1] - O[q0];
      const outputsPost = O[q2] - O[q1];
      if (outputsPre >= m && outputsPost >= m) {
        is = true;
        current = (R[q2] - R[q1]) / outputsPost - (R[q1] - R[q0]) / outputsPre;
      }
    } else if (!was) {
      return; // past the completion cutoff nobody comes back
    }
    const change = (is ? current : 0) - (was ? previous : 0);
    if (change !== 0) context.changes.push(u, offset, change);
    if (is !== was) (is ? context.enters : context.leaves).push(u, offset, 0);
    if (is) {
      const g = mainGroup[u];
      if (g >= 0) {
        context.mainCount[g]++;
        context.mainSum[g] += current;
      }
      const h = placeboGroup[u];
      // The placebo's controls also had no completion before its d + W = e + 2W.
      if (h >= 0 && completion < (e + 2 * W) * DAY_MS) context.corrections.push(h, offset, current);
      else if (h >= 0) {
        context.placeboCount[h]++;
        context.placeboSum[h] += current;
      }
    }
    was = is;
    previous = current;
  }
}

/** The first of employee j's rows on or after `day` (binary search in j's rows). */
function firstRowFrom(activity: ActivityIndex, j: number, day: number): number {
  let low = activity.start[j];
  let high = activity.start[j + 1];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (activity.day[mid] < day) low = mid + 1;
    else high = mid;
  }
  return low;
}

type ActivityIndex = Readonly<{
  /** Employee j's rows are [start[j], start[j+1]), in day order. */
  start: Int32Array;
  day: Int32Array;
  /** Running sums over the rows: cumOutputs[k] = Σ outputs of rows before k. */
  cumOutputs: Float64Array;
  cumReworked: Float64Array;
  cumMinutes: Float64Array;
}>;

/** Activity rows as typed columns, each row's employee as its index (−1: not an employee of the estimate). */
type ActivityRows = Readonly<{ employee: Int32Array; day: Int32Array; outputs: Float64Array; reworked: Float64Array; minutes: Float64Array }>;

/**
 * Activity rows grouped by employee (a counting sort), sorted by day, with running sums for O(1) window counts. Rows
 * are read once (and validated then); the rest works on typed columns.
 */
function indexActivity(activity: CourseImpactInput['activity'], indexOf: ReadonlyMap<string, number>, N: number): ActivityIndex {
  const rows = isActivityColumns(activity) ? rowsOfColumns(activity, indexOf) : rowsOfObjects(activity, indexOf);
  const { employee: rowEmployee, day: rowDay, outputs: rowOutputs, reworked: rowReworked, minutes: rowMinutes } = rows;
  const R = rowEmployee.length;
  const start = new Int32Array(N + 1);
  for (let r = 0; r < R; r++) if (rowEmployee[r] >= 0) start[rowEmployee[r] + 1]++;
  for (let j = 0; j < N; j++) start[j + 1] += start[j];
  const order = new Int32Array(start[N]);
  const cursor = start.slice(0, N);
  for (let r = 0; r < R; r++) if (rowEmployee[r] >= 0) order[cursor[rowEmployee[r]]++] = r;
  for (let j = 0; j < N; j++) {
    for (let k = start[j] + 1; k < start[j + 1]; k++) {
      if (rowDay[order[k]] < rowDay[order[k - 1]]) {
        order.subarray(start[j], start[j + 1]).sort((x, y) => rowDay[x] - rowDay[y] || x - y);
        break;
      }
    }
  }
  const day = new Int32Array(order.length);
  const cumOutputs = new Float64Array(order.length + 1);
  const cumReworked = new Float64Array(order.length + 1);
  const cumMinutes = new Float64Array(order.length + 1);
  for (let k = 0; k < order.length; k++) {
    const r = order[k];
    day[k] = rowDay[r];
    cumOutputs[k + 1] = cumOutputs[k] + rowOutputs[r];
    cumReworked[k + 1] = cumReworked[k] + rowReworked[r];
    cumMinutes[k + 1] = cumMinutes[k] + rowMinutes[r];
  }
  return { start, day, cumOutputs, cumReworked, cumMinutes };
}

function isActivityColumns(activity: CourseImpactInput['activity']): activity is ActivityColumns {
  return !Array.isArray(activity);
}

function rowsOfObjects(activity: readonly DailyActivity[], indexOf: ReadonlyMap<string, number>): ActivityRows {
  const R = activity.length;
  const rows = { employee: new Int32Array(R), day: new Int32Array(R), outputs: new Float64Array(R), reworked: new Float64Array(R), minutes: new Float64Array(R) };
  // Rows usually come ordered by employee: the last lookup is reused.
  let lastId: string | undefined;
  let last = -1;
  for (let r = 0; r < R; r++) {
    const row = activity[r];
    assertValidRow(row.day, row.outputs, row.reworked, row.reworkMinutes, `activity[${r}]`);
    if (row.employeeId !== lastId) {
      lastId = row.employeeId;
      last = indexOf.get(lastId) ?? -1;
    }
    rows.employee[r] = last;
    rows.day[r] = row.day;
    rows.outputs[r] = row.outputs;
    rows.reworked[r] = row.reworked;
    rows.minutes[r] = row.reworkMinutes;
  }
  return rows;
}

function rowsOfColumns(activity: ActivityColumns, indexOf: ReadonlyMap<string, number>): ActivityRows {
  const { employeeIds, rowStart, day, outputs, reworked, reworkMinutes } = activity;
  const R = day.length;
  if (rowStart.length !== employeeIds.length + 1 || rowStart[0] !== 0 || rowStart[employeeIds.length] !== R) {
    throw invalid('activity.rowStart', 'rowStart must hold employeeIds.length + 1 offsets from 0 to the number of rows');
  }
  if (outputs.length !== R || reworked.length !== R || reworkMinutes.length !== R) throw invalid('activity', 'every column must have one value per row');
  const employee = new Int32Array(R);
  for (let e = 0; e < employeeIds.length; e++) {
    if (rowStart[e + 1] < rowStart[e]) throw invalid(`activity.rowStart[${e + 1}]`, 'rowStart must not decrease');
    employee.fill(indexOf.get(employeeIds[e]) ?? -1, rowStart[e], rowStart[e + 1]);
  }
  for (let r = 0; r < R; r++) assertValidRow(day[r], outputs[r], reworked[r], reworkMinutes[r], `activity[${r}]`);
  return { employee, day, outputs: Float64Array.from(outputs), reworked: Float64Array.from(reworked), minutes: reworkMinutes };
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const MAX_DAY = 100_000_000;

function invalid(field: string, message: string): LedgerError {
  return new LedgerError('TRAINING_IMPACT.INVALID_INPUT', message, field);
}

function assertValidInput(input: CourseImpactInput): void {
  if (!(input.asOf instanceof Date) || Number.isNaN(input.asOf.getTime())) throw invalid('asOf', 'asOf must be a valid date');
  if (!Number.isInteger(input.windowDays) || input.windowDays < 1) throw invalid('windowDays', 'windowDays must be an integer ≥ 1');
  if (!Number.isInteger(input.minOutputs) || input.minOutputs < 1) throw invalid('minOutputs', 'minOutputs must be an integer ≥ 1');
  if (!Number.isFinite(input.horizonDays) || input.horizonDays <= 0) throw invalid('horizonDays', 'horizonDays must be a number > 0');
  if (!Number.isFinite(input.costPerSeat) || input.costPerSeat < 0) throw invalid('costPerSeat', 'costPerSeat must be a finite number ≥ 0');
  if (input.resamples !== undefined && (!Number.isInteger(input.resamples) || input.resamples < 1)) {
    throw invalid('resamples', 'resamples must be an integer ≥ 1');
  }
  if (input.seed !== undefined && !Number.isFinite(input.seed)) throw invalid('seed', 'seed must be a finite number');
  input.completions.forEach((completion, i) => {
    if (!(completion.completedAt instanceof Date) || Number.isNaN(completion.completedAt.getTime())) {
      throw invalid(`completions[${i}].completedAt`, 'completedAt must be a valid date');
    }
  });
}

function assertValidRow(day: number, outputs: number, reworked: number, reworkMinutes: number, field: string): void {
  if (!Number.isInteger(day) || Math.abs(day) > MAX_DAY) throw invalid(`${field}.day`, 'day must be an integer number of UTC days since 1970-01-01');
  if (!Number.isInteger(outputs) || outputs < 0) throw invalid(`${field}.outputs`, 'outputs must be an integer ≥ 0');
  if (!Number.isInteger(reworked) || reworked < 0 || reworked > outputs) {
    throw invalid(`${field}.reworked`, 'reworked must be an integer between 0 and outputs');
  }
  if (!Number.isFinite(reworkMinutes) || reworkMinutes < 0) throw invalid(`${field}.reworkMinutes`, 'reworkMinutes must be a finite number ≥ 0');
}
