/**
 * What one employee produced on one UTC day: outputs generated that day, how many of them were reworked
 * (≥ 1 `corrected`, `rewritten` or `discarded` event with time < asOf), and the minutes of those three kinds
 * of events on them (time < asOf; double-checks excluded). Several rows for the same employee and day add up.
 */
export type DailyActivity = Readonly<{
  employeeId: string;
  /** UTC days since 1970-01-01 of the outputs' generation time: `Math.floor(ms / 86_400_000)`. */
  day: number;
  outputs: number;
  reworked: number;
  reworkMinutes: number;
}>;

/** One `training.completed` of the course. */
export type CourseCompletion = Readonly<{ employeeId: string; completedAt: Date }>;

/** Everything the estimate of one course needs; the heavy aggregation (events → DailyActivity) is the caller's. */
export type CourseImpactInput = Readonly<{
  /** Only events with time < asOf count: the caller filters activity, the estimator filters completions. */
  asOf: Date;
  /** W (days, integer ≥ 1), m (outputs, integer ≥ 1), H (days, > 0). */
  windowDays: number;
  minOutputs: number;
  horizonDays: number;
  /** Every completion of the course: each employee's first one counts; those at or after asOf are ignored. */
  completions: readonly CourseCompletion[];
  /** Every employee of the tenant: controls come from here (trainees missing from it are added). */
  employees: readonly string[];
  /** Per employee and UTC day: rows, or the same as typed columns (no object per row: the fast form for large tenants). */
  activity: readonly DailyActivity[] | ActivityColumns;
  /** The employee's hourly cost in the tenant's currency (the caller resolves defaults). */
  hourlyCost: (employeeId: string) => number;
  costPerSeat: number;
  /** False when the course's currency is not the tenant's: ROI and payback are then null. */
  currencyMatchesTenant: boolean;
  /** Bootstrap resamples (default 1000) and seed (default DEFAULT_BOOTSTRAP_SEED). */
  resamples?: number;
  seed?: number;
}>;

export type Interval = [low: number, high: number];

/** How the bootstrap resamples: employees (the product's definition) or eligible trainees only (for comparison). */
export type Resampling = 'employees' | 'trainees';

export type TraineeCounts = { eligible: number; pending: number; insufficient: number; dropped: number };

export type CourseImpactValue = {
  minutesPerReworkedOutput: number | null;
  avoidedReworks: number | null;
  hoursSaved: number | null;
  /** In the tenant's currency. */
  valueSaved: number | null;
  /** valueSaved at both ends of the CI (low, high). */
  valueSavedRange: Interval | null;
  /** In the course's currency. */
  cost: number;
  roi: number | null;
  roiRange: Interval | null;
  paybackDays: number | null;
};

export type PlaceboEstimate = { att: number; ci95: Interval | null; flagged: boolean };

/** The estimate of PRODUCT.md "Training impact of course c" (metric definitions v1). */
export type CourseImpactEstimate = {
  att: number | null;
  naive: number | null;
  ci95: Interval | null;
  significant: boolean;
  placebo: PlaceboEstimate | null;
  trainees: TraineeCounts;
  value: CourseImpactValue;
};

/** Where a trainee (first completion < asOf) stands. */
export type TraineeCategory = 'pending' | 'insufficient' | 'dropped' | 'eligible';

/** One trainee as the estimate sees them: completion day, category, and (when not pending) window counts. */
export type TraineeWindows = Readonly<{
  employeeId: string;
  /** dᵢ: UTC day of the first completion (days since 1970-01-01). */
  day: number;
  category: TraineeCategory;
  /** Qualifies for the placebo: not pending, ≥ m outputs in both shifted windows, with placebo controls. */
  placebo: boolean;
  pre: WindowCounts;
  post: WindowCounts;
  /** [dᵢ − 2W, dᵢ − W): the placebo's pre window (its post window is `pre`). */
  placeboPre: WindowCounts;
  /** |Cᵢ| in the real windows and in the shifted ones (0 where the trainee is pending or lacks outputs there). */
  controls: number;
  placeboControls: number;
}>;

export type WindowCounts = Readonly<{ outputs: number; reworked: number; reworkMinutes: number }>;

/** PRODUCT.md defaults of W, m and H. */
export const COURSE_IMPACT_DEFAULTS = { windowDays: 28, minOutputs: 5, horizonDays: 90 } as const;
export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_BOOTSTRAP_SEED = 20_250_701;

/**
 * DailyActivity as columns: the rows of employee `employeeIds[e]` are [rowStart[e], rowStart[e + 1]) (any day order;
 * fastest in day order); the same rules as DailyActivity, row by row.
 */
export type ActivityColumns = Readonly<{
  employeeIds: readonly string[];
  rowStart: Int32Array;
  day: Int32Array;
  outputs: Int32Array;
  reworked: Int32Array;
  reworkMinutes: Float64Array;
}>;
