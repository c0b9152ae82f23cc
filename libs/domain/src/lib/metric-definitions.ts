/** Version of the metric definitions in PRODUCT.md; a change of definition is a new version. */
export const METRIC_VERSION = 'v1';

export const BUCKETS = ['day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

export const REWORK_GROUP_BYS = ['team', 'tool', 'taskType', 'model', 'employee'] as const;
export type ReworkGroupBy = (typeof REWORK_GROUP_BYS)[number];

/** What `GET /v1/metrics/usage` groups by (usage has no task type; employee-level usage is not answered). */
export const USAGE_GROUP_BYS = ['team', 'tool', 'model'] as const;
export type UsageGroupBy = (typeof USAGE_GROUP_BYS)[number];

/** What `GET /v1/metrics/value` (Net AI value) groups by: the dimensions both the rework and the usage metrics have. */
export const VALUE_GROUP_BYS = ['team', 'tool'] as const;
export type ValueGroupBy = (typeof VALUE_GROUP_BYS)[number];

/**
 * A tenant's licence for an AI tool (a tenant setting): `seatCost` per seat and month in `currency`, for `seats` seats,
 * or, without a number, one seat per active user of the tool. It adds to the usage metrics' spend.
 */
export type SeatCost = Readonly<{ tool: string; seatCost: number; currency: string; seats?: number | null }>;

/** The team an output without its own `teamId` falls into when nobody assigned its author. */
export const UNASSIGNED_TEAM = '(unassigned)';

const DAY_MS = 86_400_000;

/** Start (UTC) of the bucket that contains `time`: a UTC day, an ISO week (Monday 00:00 UTC) or a UTC month. */
export function bucketStart(time: Date, bucket: Bucket): Date {
  const day = Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate());
  switch (bucket) {
    case 'day':
      return new Date(day);
    case 'week': {
      const daysSinceMonday = (new Date(day).getUTCDay() + 6) % 7;
      return new Date(day - daysSinceMonday * DAY_MS);
    }
    case 'month':
      return new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), 1));
    default: {
      const unreachable: never = bucket;
      return unreachable;
    }
  }
}

/** numerator / denominator, or null when there is nothing to divide by (a rate over no outputs). */
export function rateOrNull(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

export type Assignment = Readonly<{ teamId: string; hourlyCost?: number; effectiveFrom: Date; storeOrder: number }>;

/**
 * The assignment in effect at `time`: the latest `effectiveFrom` ≤ time, ties broken by store order.
 * Returns undefined when the employee had no assignment yet. The TypeScript reference of the read side's SQL rule
 * (`assignmentAt` in libs/read-models rework-rules.ts), which rework-rules.int-spec.ts checks against it.
 */
export function assignmentInEffect(assignments: readonly Assignment[], time: Date): Assignment | undefined {
  let inEffect: Assignment | undefined;
  for (const candidate of assignments) {
    if (candidate.effectiveFrom.getTime() > time.getTime()) continue;
    if (
      !inEffect ||
      candidate.effectiveFrom.getTime() > inEffect.effectiveFrom.getTime() ||
      (candidate.effectiveFrom.getTime() === inEffect.effectiveFrom.getTime() && candidate.storeOrder > inEffect.storeOrder)
    ) {
      inEffect = candidate;
    }
  }
  return inEffect;
}

/** An output's team: its own `teamId`, else its author's team in effect at its time, else `(unassigned)`. */
export function attributeTeam(outputTeamId: string | undefined, authorAssignments: readonly Assignment[], generatedAt: Date): string {
  return outputTeamId ?? assignmentInEffect(authorAssignments, generatedAt)?.teamId ?? UNASSIGNED_TEAM;
}
