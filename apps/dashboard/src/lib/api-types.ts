// The API's answers as the dashboard reads them (see /docs for the full contract).

export type Bucket = 'day' | 'week' | 'month';
export type GroupBy = 'team' | 'tool' | 'taskType' | 'model';

export type ReworkFigures = {
  outputs: number;
  reworkedOutputs: number;
  reworkRate: number | null;
  doubleCheckRate: number | null;
  corrections: number;
  rewrites: number;
  doubleChecks: number;
  discards: number;
  reworkMinutes: number;
  lostHours: number;
  lostCost: number;
  grossSavedHours: number;
  netSavedHours: number;
};

export type ReworkRow = ReworkFigures & { group: string | null; bucket: string | null };

/**
 * The cells withheld from a caller without `admin` (privacy v2), summed; every figure null, with a reason, when even
 * the sum would show a small group, or when the filters cross dimensions the protected tables do not.
 */
export type Suppressed =
  | ({ [K in keyof ReworkFigures]: ReworkFigures[K] | null } & { rows: number; reason?: 'WITHHELD.SMALL_REMAINDER' | 'WITHHELD.NOT_IN_PROTECTED_TABLES' })
  | null;

export type ReworkMetricsAnswer = {
  metricVersion: string;
  from: string;
  to: string;
  groupBy: GroupBy | null;
  bucket: Bucket | null;
  currency: string;
  rows: ReworkRow[];
  suppressed: Suppressed;
};

export type Interval = [number, number];

export type TraineeCounts = { eligible: number; pending: number; insufficient: number; dropped: number };

export type CourseImpact = {
  courseId: string;
  title: string;
  metricVersion: string;
  /** The asOf the estimate is for: for a caller without admin, the week at which it was published. */
  asOf: string;
  requestedAsOf?: string;
  windowDays: number;
  minOutputs: number;
  horizonDays: number;
  currency: string;
  estimateShown: boolean;
  att: number | null;
  naive: number | null;
  ci95: Interval | null;
  significant: boolean;
  placebo: { att: number; ci95: Interval | null; flagged: boolean } | null;
  trainees: TraineeCounts;
  value: {
    minutesPerReworkedOutput: number | null;
    avoidedReworks: number | null;
    hoursSaved: number | null;
    valueSaved: number | null;
    valueSavedRange: Interval | null;
    cost: number;
    roi: number | null;
    roiRange: Interval | null;
    paybackDays: number | null;
  };
};

export type Course = {
  courseId: string;
  title: string;
  skills: string[];
  costPerSeat: number;
  currency: string;
  completions: number;
  trainees: number;
};

export type CoursesAnswer = { asOf: string; courses: Course[] };

export type CourseRecommendation = {
  courseId: string;
  title: string;
  att: number;
  ci95: Interval | null;
  untrainedMembers: number;
  projectedHoursSaved: number;
};

export type SkillsGap = {
  team: string;
  taskType: string;
  outputs: number;
  reworkedOutputs: number;
  reworkRate: number;
  tenantReworkRate: number;
  excessReworkRate: number;
  lostHours: number;
  recommendations: CourseRecommendation[];
};

export type SkillsGapsAnswer = {
  metricVersion: string;
  from: string;
  to: string;
  tenantReworkRate: number | null;
  gaps: SkillsGap[];
  suppressed: { cells: number; outputs: number | null } | null;
};

/** The one error shape of the API. */
export type ApiErrorBody = { code: string; message: string; field?: string };

/** GET /v1/connectors: what the tenant's connectors ignored or rejected, by signal and reason. */
export type ConnectorsAnswer = {
  records: { connector: string; signal: string; outcome: 'ignored' | 'rejected'; reason: string; count: number; lastSeenAt: string }[];
};

/** One currency's spend: usage cost plus licence seats (never summed across currencies). */
export type Spend = { currency: string; amount: number };

export type UsageFigures = {
  activeUsers: number;
  requests: number;
  suggestions: number;
  acceptances: number;
  acceptanceRate: number | null;
  linesSuggested: number;
  linesAccepted: number;
  inputTokens: number;
  outputTokens: number;
  spend: Spend[];
  credits: number;
};

export type UsageGroupBy = 'team' | 'tool' | 'model';

export type UsageRow = UsageFigures & { group: string | null; bucket: string | null };

/** GET /v1/metrics/usage: adoption and spend (docs/metrics.md); same privacy as rework, `activeUsers` summed in `suppressed`. */
export type UsageMetricsAnswer = {
  metricVersion: string;
  from: string;
  to: string;
  groupBy: UsageGroupBy | null;
  bucket: Bucket | null;
  currency: string;
  rows: UsageRow[];
  suppressed: ({ [K in keyof UsageFigures]: UsageFigures[K] | null } & { rows: number; reason?: 'WITHHELD.SMALL_REMAINDER' | 'WITHHELD.NOT_IN_PROTECTED_TABLES' }) | null;
};

/** A row of GET /v1/metrics/value (Net AI value): every amount in the answer's currency but spendInOtherCurrencies. */
export type ValueRow = {
  group: string | null;
  bucket: string | null;
  savedValue: number;
  lostCost: number;
  spend: number;
  spendInOtherCurrencies: Spend[];
  /** savedValue − lostCost − spend; null when some spend is in another currency (never converted). */
  netAiValue: number | null;
  netAiValueUnavailable: { reason: 'VALUE.SPEND_IN_OTHER_CURRENCY'; currencies: string[] } | null;
};

export type ValueMetricsAnswer = {
  metricVersion: string;
  from: string;
  to: string;
  groupBy: 'team' | 'tool' | null;
  bucket: Bucket | null;
  currency: string;
  rows: ValueRow[];
  /** Callers without admin: how many rows the rework or the usage protected tables withheld (never their figures). */
  suppressed: { rows: number } | null;
};
