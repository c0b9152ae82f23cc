import type { TaskType } from '@rework-ledger/domain';

/** The four rework event kinds, named as in the event type (`ai.output.<kind>`). */
export type ReworkEventKind = 'corrected' | 'rewritten' | 'double_checked' | 'discarded';

/** An AI tool: how often it is used, what it adds to the rework probability, and its models. */
export type ToolOption = Readonly<{
  tool: string;
  share: number;
  /** Added to the rework probability of every output made with this tool. */
  reworkOffset: number;
  /** Empty: the tool's outputs carry no `model`. */
  models: readonly Readonly<{ model: string; share: number }>[];
}>;

/** A task type: how often it occurs, its base rework probability, and its mean `minutesSavedEstimate`. */
export type TaskTypeOption = Readonly<{
  taskType: TaskType;
  share: number;
  reworkProbability: number;
  minutesSaved: number;
}>;

/** A course and its ground truth. */
export type CourseOption = Readonly<{
  courseId: string;
  title: string;
  skills: readonly string[];
  costPerSeat: number;
  currency: string;
  /** xAPI activity IRIs of the course. */
  activityIds: readonly string[];
  /**
   * Added to the rework probability of the trainee's outputs generated on or after the start of the UTC day
   * of their first completion (negative = less rework).
   */
  trueEffect: number;
  /** Share of employees who complete the course during the period. */
  traineeShare: number;
  /** Completions are spread uniformly over this part of the period (fractions of it); default: the organisation's. */
  completionSpread?: readonly [number, number];
}>;

/** Everything that shapes a synthetic organisation. All randomness derives from `seed`. */
export type OrganisationOptions = Readonly<{
  seed: number;
  /** Passed through to the result only: events never carry a tenant. */
  tenant: string;
  employees: number;
  /** A number of teams (named from a built-in list) or the team ids themselves. */
  teams: number | readonly string[];
  /** Outputs are generated in [start, end); no event is at or after `end`. */
  start: Date;
  end: Date;
  /** Mean over employees; each employee has a multiplier (log-normal, mean 1, log-sd `outputsVariation`). */
  outputsPerEmployeePerWeek: number;
  outputsVariation: number;
  /** Activity on Saturdays and Sundays relative to a weekday. */
  weekendActivity: number;
  /** Outputs are made between these UTC hours. */
  workingHoursUtc: readonly [number, number];
  tools: readonly ToolOption[];
  taskTypes: readonly TaskTypeOption[];
  /** Change of everyone's rework probability over the whole period, linear in time (e.g. −0.05). */
  reworkTrend: number;
  /** Standard deviation of the per-employee additive baseline offset of the rework probability. */
  baselineNoise: number;
  courses: readonly CourseOption[];
  /** Default spread of completions over the period, as fractions of it. */
  completionSpread: readonly [number, number];
  /** Share of trainees who complete the same course a second time later (only the first one counts). */
  recompletionShare: number;
  /** Relative weights of what a reworked output gets; `discarded` excludes the others. */
  reworkKindMix: Readonly<{ corrected: number; rewritten: number; correctedAndRewritten: number; discarded: number }>;
  /** Uniform integer range of `minutesSpent` per rework kind. */
  reworkMinutes: Readonly<Record<ReworkEventKind, readonly [number, number]>>;
  /** Log-uniform delay, in minutes, of a correction, rewrite or discard after its output. */
  reworkDelayMinutes: readonly [number, number];
  /** Log-uniform delay, in minutes, of a double-check after its output. */
  doubleCheckDelayMinutes: readonly [number, number];
  /** Probability that an output is double-checked, independent of rework. */
  doubleCheckProbability: number;
  /** Share of rework events done by a colleague of the author's first team rather than the author. */
  reworkByColleagueShare: number;
  /** Share of outputs that carry a `minutesSavedEstimate`. */
  minutesSavedEstimateShare: number;
  /** Uniform range of employees' hourly cost. */
  hourlyCost: readonly [number, number];
  /** Share of employees who move to another team mid-period (a second `employee.assigned` with `effectiveFrom`). */
  teamChangeShare: number;
  /** Share of outputs that name a team explicitly (`teamId`, any team). */
  explicitTeamShare: number;
  /** `employee.identity_linked` for every employee: this system, externalId `mailto:<employeeId>@<emailDomain>`. */
  identitySystem: string;
  emailDomain: string;
  /** Prefixed to employee ids, output ids and event ids, so that two organisations can share a tenant. */
  idPrefix: string;
  /** Event sources are `<sourcePrefix>:<tool>`, `<sourcePrefix>:lms` and `<sourcePrefix>:hris`. */
  sourcePrefix: string;
}>;

/** The rework probability of an output is clamped to this range. */
export const REWORK_PROBABILITY_RANGE = [0.01, 0.95] as const;

/** Team ids used when `teams` is a number; beyond the list, `team-<n>`. */
export const TEAM_NAMES = [
  'platform',
  'finance-ops',
  'customer-support',
  'sales',
  'marketing',
  'legal',
  'people-ops',
  'data-analytics',
  'product',
  'procurement',
  'security',
  'research',
] as const;

export const DEFAULT_TOOLS: readonly ToolOption[] = [
  { tool: 'copilot', share: 0.35, reworkOffset: -0.02, models: [{ model: 'gpt-4o', share: 0.6 }, { model: 'gpt-4.1', share: 0.4 }] },
  { tool: 'chatgpt-enterprise', share: 0.3, reworkOffset: 0, models: [{ model: 'gpt-4o', share: 0.7 }, { model: 'o3', share: 0.3 }] },
  { tool: 'claude', share: 0.2, reworkOffset: -0.03, models: [{ model: 'claude-sonnet-4', share: 0.8 }, { model: 'claude-opus-4', share: 0.2 }] },
  { tool: 'internal-assistant', share: 0.15, reworkOffset: 0.05, models: [] },
];

export const DEFAULT_TASK_TYPES: readonly TaskTypeOption[] = [
  { taskType: 'drafting', share: 0.3, reworkProbability: 0.3, minutesSaved: 15 },
  { taskType: 'analysis', share: 0.2, reworkProbability: 0.25, minutesSaved: 25 },
  { taskType: 'decision-support', share: 0.1, reworkProbability: 0.22, minutesSaved: 20 },
  { taskType: 'automation', share: 0.1, reworkProbability: 0.18, minutesSaved: 30 },
  { taskType: 'coding', share: 0.2, reworkProbability: 0.28, minutesSaved: 25 },
  { taskType: 'other', share: 0.1, reworkProbability: 0.2, minutesSaved: 10 },
];

export const DEFAULT_COURSES: readonly CourseOption[] = [
  {
    courseId: 'prompting-for-analysts',
    title: 'Prompting for analysts',
    skills: ['prompting', 'data-analysis'],
    costPerSeat: 180,
    currency: 'USD',
    activityIds: ['https://lms.example.com/xapi/activities/prompting-for-analysts'],
    trueEffect: -0.08,
    traineeShare: 0.5,
  },
  {
    courseId: 'critical-review-of-ai-output',
    title: 'Critical review of AI output',
    skills: ['critical-review', 'fact-checking'],
    costPerSeat: 120,
    currency: 'USD',
    activityIds: ['https://lms.example.com/xapi/activities/critical-review-of-ai-output'],
    trueEffect: -0.04,
    traineeShare: 0.5,
  },
  {
    courseId: 'ai-for-managers',
    title: 'AI for managers',
    skills: ['ai-strategy', 'change-management'],
    costPerSeat: 350,
    currency: 'USD',
    activityIds: ['https://lms.example.com/xapi/activities/ai-for-managers'],
    trueEffect: 0,
    traineeShare: 0.5,
  },
];

const DAY_MS = 86_400_000;
const DEFAULT_END = new Date('2025-07-01T00:00:00Z');

/** The defaults of every option: the `demo` organisation over the 182 days before 2025-07-01. */
export const DEFAULT_ORGANISATION_OPTIONS: OrganisationOptions = {
  seed: 42,
  tenant: 'demo',
  employees: 300,
  teams: 8,
  start: new Date(DEFAULT_END.getTime() - 182 * DAY_MS),
  end: DEFAULT_END,
  outputsPerEmployeePerWeek: 10,
  outputsVariation: 0.35,
  weekendActivity: 0.1,
  workingHoursUtc: [7, 18],
  tools: DEFAULT_TOOLS,
  taskTypes: DEFAULT_TASK_TYPES,
  reworkTrend: -0.05,
  baselineNoise: 0.05,
  courses: DEFAULT_COURSES,
  completionSpread: [0.1, 0.95],
  recompletionShare: 0.03,
  reworkKindMix: { corrected: 0.55, rewritten: 0.25, correctedAndRewritten: 0.05, discarded: 0.15 },
  reworkMinutes: { corrected: [10, 30], rewritten: [20, 60], double_checked: [3, 10], discarded: [5, 15] },
  reworkDelayMinutes: [5, 5 * 24 * 60],
  doubleCheckDelayMinutes: [1, 240],
  doubleCheckProbability: 0.2,
  reworkByColleagueShare: 0.1,
  minutesSavedEstimateShare: 0.9,
  hourlyCost: [40, 120],
  teamChangeShare: 0.03,
  explicitTeamShare: 0.03,
  identitySystem: 'lms',
  emailDomain: 'example.com',
  idPrefix: '',
  sourcePrefix: 'urn:rework-ledger:demo',
};
