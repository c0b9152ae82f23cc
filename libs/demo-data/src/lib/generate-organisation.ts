import { type ReworkData, type TaskType } from '@rework-ledger/domain';
import { TimeOrderedHeap } from './event-heap';
import {
  DEFAULT_ORGANISATION_OPTIONS,
  REWORK_PROBABILITY_RANGE,
  TEAM_NAMES,
  type OrganisationOptions,
  type ReworkEventKind,
} from './organisation-options';
import { assertValidOptions } from './organisation-options.validation';
import { Prng, cumulative } from './prng';
import type { SyntheticCloudEvent } from './synthetic-events';

/** One of an employee's team assignments: the team from `effectiveFrom`, recorded (event time) at `recordedAt`. */
export type SyntheticAssignment = Readonly<{ teamId: string; effectiveFrom: Date; recordedAt: Date; hourlyCost: number }>;

/** An employee of the synthetic organisation and their hidden parameters. */
export type SyntheticEmployee = Readonly<{
  employeeId: string;
  /** The identity in the learning system (`employee.identity_linked`): `mailto:<employeeId>@<emailDomain>`. */
  externalId: string;
  role: string;
  /** Mean output rate relative to `outputsPerEmployeePerWeek`. */
  outputsMultiplier: number;
  /** Additive offset of this employee's rework probability (the per-employee noise). */
  baseline: number;
  /** In `effectiveFrom` order; the first is in effect from before `start`. */
  assignments: readonly SyntheticAssignment[];
}>;

/** A trainee of a course: first completion, the start of its UTC day (from which the effect applies), any repeat. */
export type SyntheticTrainee = Readonly<{ employeeId: string; completedAt: Date; effectiveFrom: Date; recompletedAt?: Date }>;

/** The truth the estimators should recover. */
export type GroundTruth = Readonly<{
  /** Everyone's rework probability changes linearly by `totalChange` from `start` to `end`. */
  trend: Readonly<{ totalChange: number; perDay: number; start: Date; end: Date }>;
  reworkProbabilityRange: readonly [number, number];
  baseReworkProbability: Readonly<Partial<Record<TaskType, number>>>;
  toolReworkOffset: Readonly<Record<string, number>>;
  /** Per employee: the baseline offset, output rate, teams and hourly costs. */
  employees: readonly SyntheticEmployee[];
  /** Per course: the additive true effect and the trainees in employee order. */
  courses: readonly Readonly<{ courseId: string; trueEffect: number; trainees: readonly SyntheticTrainee[] }>[];
}>;

/** A deterministic synthetic organisation: its events (lazily) and the ground truth behind them. */
export interface SyntheticOrganisation {
  readonly options: OrganisationOptions;
  readonly tenant: string;
  readonly teams: readonly string[];
  readonly groundTruth: GroundTruth;
  /** Every event in time order (setup first), generated lazily: each call starts again from the seed. */
  iterateEvents(): Generator<SyntheticCloudEvent, void, undefined>;
  /** `iterateEvents()` collected into an array, for small organisations. */
  allEvents(): SyntheticCloudEvent[];
  /** The true probability that an output is reworked (before the coin is tossed). */
  reworkProbability(output: Readonly<{ employeeId: string; tool: string; taskType: TaskType; time: Date }>): number;
  /** The employee's team in effect at `time` by `effectiveFrom` (not by when it was recorded). */
  teamAt(employeeId: string, time: Date): string | undefined;
}

const DAY_MS = 86_400_000;
const REGISTRATION_LEAD_MS = 2 * DAY_MS;
const ASSIGNMENT_LEAD_MS = DAY_MS;
const ROLES = ['analyst', 'engineer', 'specialist'] as const;
const MANAGER_SHARE = 0.1;
const REASONS: Record<ReworkEventKind, readonly string[]> = {
  corrected: ['factual error', 'wrong figure', 'outdated reference', 'formatting'],
  rewritten: ['wrong tone', 'missed the point', 'too generic', 'structure'],
  double_checked: ['policy requires review', 'numbers verified', 'sources verified'],
  discarded: ['hallucinated content', 'unusable', 'faster to do by hand'],
};
const REASON_SHARE = 0.5;
const REWORK_KINDS: readonly (readonly ReworkEventKind[])[] = [['corrected'], ['rewritten'], ['corrected', 'rewritten'], ['discarded']];
const REWORK_TYPE = {
  corrected: 'ai.output.corrected',
  rewritten: 'ai.output.rewritten',
  double_checked: 'ai.output.double_checked',
  discarded: 'ai.output.discarded',
} as const;

// Independent random streams: adding draws to one never shifts the others.
const SETUP_STREAM = 1;
const OUTPUT_STREAM = 2;

/** Builds a synthetic organisation from options (missing ones take the demo defaults). Pure and deterministic. */
export function generateOrganisation(input: Partial<OrganisationOptions> = {}): SyntheticOrganisation {
  const options: OrganisationOptions = { ...DEFAULT_ORGANISATION_OPTIONS, ...input };
  assertValidOptions(options);
  const setup = buildSetup(options);
  return {
    options,
    tenant: options.tenant,
    teams: setup.teams,
    groundTruth: setup.groundTruth,
    iterateEvents: () => iterateEvents(options, setup),
    allEvents: () => Array.from(iterateEvents(options, setup)),
    reworkProbability: ({ employeeId, tool, taskType, time }) => {
      const employee = setup.indexByEmployeeId.get(employeeId);
      const toolIndex = options.tools.findIndex((candidate) => candidate.tool === tool);
      const taskIndex = options.taskTypes.findIndex((candidate) => candidate.taskType === taskType);
      if (employee === undefined || toolIndex < 0 || taskIndex < 0) {
        throw new RangeError(`unknown employee, tool or task type: ${employeeId}, ${tool}, ${taskType}`);
      }
      return reworkProbabilityAt(options, setup, employee, toolIndex, taskIndex, time.getTime());
    },
    teamAt: (employeeId, time) => {
      const employee = setup.indexByEmployeeId.get(employeeId);
      if (employee === undefined) return undefined;
      const teamIndex = teamIndexAt(setup, employee, time.getTime());
      return teamIndex < 0 ? undefined : setup.teams[teamIndex];
    },
  };
}

/** What the setup stream decides once, before any output: people, teams, trainees. Indexed by employee. */
type Setup = Readonly<{
  teams: readonly string[];
  employeeIds: readonly string[];
  indexByEmployeeId: ReadonlyMap<string, number>;
  /** Per employee, assignments as [effectiveFromMs, teamIndex] in effectiveFrom order. */
  teamTimeline: readonly (readonly (readonly [number, number])[])[];
  firstTeam: readonly number[];
  membersOfFirstTeam: readonly (readonly number[])[];
  positionInFirstTeam: readonly number[];
  toolWeights: readonly (readonly number[])[];
  taskWeightsByTeam: readonly (readonly number[])[];
  modelWeightsByTool: readonly (readonly number[])[];
  outputRate: readonly number[];
  baseline: readonly number[];
  /** Per employee, [fromMs, effect] of completed courses in fromMs order. */
  effects: readonly (readonly (readonly [number, number])[])[];
  /** Events decided at setup that happen during the period (completions, team moves), with their times. */
  scheduled: readonly (readonly [number, SyntheticCloudEvent])[];
  header: readonly SyntheticCloudEvent[];
  groundTruth: GroundTruth;
}>;

function buildSetup(options: OrganisationOptions): Setup {
  const rng = new Prng(options.seed, SETUP_STREAM);
  const startMs = options.start.getTime();
  const endMs = options.end.getTime();
  const periodMs = endMs - startMs;
  const [workFrom, workTo] = options.workingHoursUtc;
  const workingTime = (dayMs: number): number => dayMs + Math.floor(rng.uniform(workFrom * 3600, workTo * 3600)) * 1000;
  const withinPeriod = (ms: number): number => Math.min(Math.max(ms, startMs), endMs - 1000);

  const teams = typeof options.teams === 'number' ? teamNames(options.teams) : [...options.teams];
  const sources = { lms: `${options.sourcePrefix}:lms`, hris: `${options.sourcePrefix}:hris` };
  const registrationTime = new Date(startMs - REGISTRATION_LEAD_MS).toISOString();
  const assignmentMs = startMs - ASSIGNMENT_LEAD_MS;
  const assignmentTime = new Date(assignmentMs).toISOString();

  const width = Math.max(5, String(options.employees).length);
  const employeeIds = Array.from({ length: options.employees }, (_, i) => `${options.idPrefix}emp-${String(i + 1).padStart(width, '0')}`);
  const teamSizeWeights = cumulative(teams.map(() => rng.uniform(0.5, 1.5)));
  const firstTeam = employeeIds.map((_, i) => (i < teams.length ? i : rng.pickIndex(teamSizeWeights)));
  const membersOfFirstTeam = teams.map((_, team) => firstTeam.flatMap((t, employee) => (t === team ? [employee] : [])));
  const roles = employeeIds.map(() => (rng.chance(MANAGER_SHARE) ? 'manager' : ROLES[rng.integer(0, ROLES.length - 1)]));
  const hourlyCost = employeeIds.map(() => Math.round(rng.uniform(options.hourlyCost[0], options.hourlyCost[1])));
  const sd = options.outputsVariation;
  const outputsMultiplier = employeeIds.map(() => Math.exp(sd * rng.normal() - (sd * sd) / 2));
  const baseline = employeeIds.map(() => options.baselineNoise * rng.normal());
  // People lean towards some tools, teams towards some task types.
  const toolWeights = employeeIds.map(() => cumulative(options.tools.map((tool) => tool.share * rng.uniform(0.2, 1.8))));
  const taskWeightsByTeam = teams.map(() => cumulative(options.taskTypes.map((task) => task.share * rng.uniform(0.3, 2))));
  const modelWeightsByTool = options.tools.map((tool) => cumulative(tool.models.map((model) => model.share)));

  const scheduled: (readonly [number, SyntheticCloudEvent])[] = [];
  const assignments: SyntheticAssignment[][] = employeeIds.map((_, i) => [
    { teamId: teams[firstTeam[i]], effectiveFrom: new Date(assignmentMs), recordedAt: new Date(assignmentMs), hourlyCost: hourlyCost[i] },
  ]);
  const teamTimeline: [number, number][][] = firstTeam.map((team) => [[assignmentMs, team]]);
  const movers = teams.length < 2 ? [] : rng.sample(employeeIds.map((_, i) => i), Math.round(options.teamChangeShare * options.employees));
  for (const employee of movers.sort((a, b) => a - b)) {
    const offset = rng.integer(1, teams.length - 1);
    const team = (firstTeam[employee] + offset) % teams.length;
    const effectiveFromMs = startOfUtcDay(startMs + rng.uniform(0.2, 0.8) * periodMs);
    // Moves are recorded up to 5 days ahead of or 3 days after they take effect.
    const recordedMs = withinPeriod(workingTime(effectiveFromMs + rng.integer(-5, 3) * DAY_MS));
    const cost = Math.round(hourlyCost[employee] * rng.uniform(1, 1.1));
    assignments[employee].push({ teamId: teams[team], effectiveFrom: new Date(effectiveFromMs), recordedAt: new Date(recordedMs), hourlyCost: cost });
    teamTimeline[employee].push([effectiveFromMs, team]);
    scheduled.push([
      recordedMs,
      {
        specversion: '1.0',
        id: `${employeeIds[employee]}:assigned:1`,
        source: sources.hris,
        type: 'employee.assigned',
        time: new Date(recordedMs).toISOString(),
        data: {
          employeeId: employeeIds[employee],
          teamId: teams[team],
          role: roles[employee],
          hourlyCost: cost,
          effectiveFrom: new Date(effectiveFromMs).toISOString(),
        },
      },
    ]);
  }

  const effects: [number, number][][] = employeeIds.map(() => []);
  const courseTruths = options.courses.map((course) => {
    const [from, to] = course.completionSpread ?? options.completionSpread;
    const chosen = rng.sample(employeeIds.map((_, i) => i), Math.round(course.traineeShare * options.employees));
    const trainees = chosen
      .sort((a, b) => a - b)
      .map((employee): SyntheticTrainee => {
        const completedMs = withinPeriod(workingTime(startOfUtcDay(startMs + rng.uniform(from, to) * periodMs)));
        const effectiveFromMs = startOfUtcDay(completedMs);
        const recompletedMs = rng.chance(options.recompletionShare) ? workingTime(effectiveFromMs + rng.integer(1, 30) * DAY_MS) : undefined;
        effects[employee].push([effectiveFromMs, course.trueEffect]);
        const completions = recompletedMs !== undefined && recompletedMs < endMs ? [completedMs, recompletedMs] : [completedMs];
        completions.forEach((ms, n) =>
          scheduled.push([
            ms,
            {
              specversion: '1.0',
              id: `${employeeIds[employee]}:completed:${course.courseId}:${n}`,
              source: sources.lms,
              type: 'training.completed',
              time: new Date(ms).toISOString(),
              data: { employeeId: employeeIds[employee], courseId: course.courseId, score: Math.round(rng.uniform(55, 100)) / 100 },
            },
          ]),
        );
        return {
          employeeId: employeeIds[employee],
          completedAt: new Date(completedMs),
          effectiveFrom: new Date(effectiveFromMs),
          ...(completions.length > 1 ? { recompletedAt: new Date(completions[1]) } : {}),
        };
      });
    return { courseId: course.courseId, trueEffect: course.trueEffect, trainees };
  });
  effects.forEach((list) => list.sort((a, b) => a[0] - b[0]));

  const header: SyntheticCloudEvent[] = [
    ...options.courses.map(
      (course): SyntheticCloudEvent => ({
        specversion: '1.0',
        id: `${options.idPrefix}course:${course.courseId}:registered`,
        source: sources.lms,
        type: 'training.course_registered',
        time: registrationTime,
        data: {
          courseId: course.courseId,
          title: course.title,
          skills: [...course.skills],
          costPerSeat: course.costPerSeat,
          currency: course.currency,
          activityIds: [...course.activityIds],
        },
      }),
    ),
    ...employeeIds.map(
      (employeeId, i): SyntheticCloudEvent => ({
        specversion: '1.0',
        id: `${employeeId}:assigned:0`,
        source: sources.hris,
        type: 'employee.assigned',
        time: assignmentTime,
        data: { employeeId, teamId: teams[firstTeam[i]], role: roles[i], hourlyCost: hourlyCost[i] },
      }),
    ),
    ...employeeIds.map(
      (employeeId): SyntheticCloudEvent => ({
        specversion: '1.0',
        id: `${employeeId}:linked:${options.identitySystem}`,
        source: sources.hris,
        type: 'employee.identity_linked',
        time: assignmentTime,
        data: { employeeId, system: options.identitySystem, externalId: externalIdOf(employeeId, options) },
      }),
    ),
  ];

  const employees = employeeIds.map(
    (employeeId, i): SyntheticEmployee => ({
      employeeId,
      externalId: externalIdOf(employeeId, options),
      role: roles[i],
      outputsMultiplier: outputsMultiplier[i],
      baseline: baseline[i],
      assignments: assignments[i],
    }),
  );
  const periodDays = periodMs / DAY_MS;
  return {
    teams,
    employeeIds,
    indexByEmployeeId: new Map(employeeIds.map((id, i) => [id, i])),
    teamTimeline,
    firstTeam,
    membersOfFirstTeam,
    positionInFirstTeam: firstTeam.map((team, employee) => membersOfFirstTeam[team].indexOf(employee)),
    toolWeights,
    taskWeightsByTeam,
    modelWeightsByTool,
    outputRate: outputsMultiplier,
    baseline,
    effects,
    scheduled,
    header,
    groundTruth: {
      trend: { totalChange: options.reworkTrend, perDay: options.reworkTrend / periodDays, start: options.start, end: options.end },
      reworkProbabilityRange: REWORK_PROBABILITY_RANGE,
      baseReworkProbability: Object.fromEntries(options.taskTypes.map((task) => [task.taskType, task.reworkProbability])),
      toolReworkOffset: Object.fromEntries(options.tools.map((tool) => [tool.tool, tool.reworkOffset])),
      employees,
      courses: courseTruths,
    },
  };
}

function* iterateEvents(options: OrganisationOptions, setup: Setup): Generator<SyntheticCloudEvent, void, undefined> {
  yield* setup.header;

  const rng = new Prng(options.seed, OUTPUT_STREAM);
  const heap = new TimeOrderedHeap<SyntheticCloudEvent>();
  for (const [ms, event] of setup.scheduled) heap.push(ms, event);

  const startMs = options.start.getTime();
  const endMs = options.end.getTime();
  const [workFrom, workTo] = options.workingHoursUtc;
  const workFromMs = workFrom * 3_600_000;
  const workSeconds = (workTo - workFrom) * 3600;
  const perWeekday = options.outputsPerEmployeePerWeek / (5 + 2 * options.weekendActivity);
  const toolSources = options.tools.map((tool) => `${options.sourcePrefix}:${tool.tool}`);
  const kindWeights = cumulative([
    options.reworkKindMix.corrected,
    options.reworkKindMix.rewritten,
    options.reworkKindMix.correctedAndRewritten,
    options.reworkKindMix.discarded,
  ]);
  let outputNumber = 0;

  const pushRework = (kind: ReworkEventKind, outputId: string, author: number, outputMs: number, source: string): void => {
    const [minDelay, maxDelay] = kind === 'double_checked' ? options.doubleCheckDelayMinutes : options.reworkDelayMinutes;
    const ms = outputMs + Math.round(rng.logUniform(minDelay, maxDelay) * 60) * 1000;
    const worker = rng.chance(options.reworkByColleagueShare) ? colleagueOf(author, setup, rng) : author;
    const [minMinutes, maxMinutes] = options.reworkMinutes[kind];
    const data: ReworkData = { outputId, employeeId: setup.employeeIds[worker], minutesSpent: rng.integer(minMinutes, maxMinutes) };
    if (rng.chance(REASON_SHARE)) data.reason = REASONS[kind][rng.integer(0, REASONS[kind].length - 1)];
    // Rework that would happen at or after `end` has not happened yet.
    if (ms >= endMs) return;
    heap.push(ms, { specversion: '1.0', id: `${outputId}:${kind}`, source, type: REWORK_TYPE[kind], time: new Date(ms).toISOString(), data });
  };

  const generateOutput = (employee: number, ms: number): void => {
    outputNumber++;
    const outputId = `${options.idPrefix}out-${String(outputNumber).padStart(8, '0')}`;
    const team = teamIndexAt(setup, employee, ms);
    const toolIndex = rng.pickIndex(setup.toolWeights[employee]);
    const tool = options.tools[toolIndex];
    const model = tool.models.length > 0 ? tool.models[rng.pickIndex(setup.modelWeightsByTool[toolIndex])].model : undefined;
    const taskIndex = rng.pickIndex(setup.taskWeightsByTeam[team]);
    const task = options.taskTypes[taskIndex];
    const explicitTeam = rng.chance(options.explicitTeamShare) ? setup.teams[rng.integer(0, setup.teams.length - 1)] : undefined;
    const inputTokens = rng.integer(200, 4000);
    const outputTokens = rng.integer(100, 2000);
    const minutesSaved = rng.chance(options.minutesSavedEstimateShare) ? Math.max(1, Math.round(task.minutesSaved * rng.uniform(0.5, 1.5))) : undefined;
    const source = toolSources[toolIndex];
    heap.push(ms, {
      specversion: '1.0',
      id: `${outputId}:generated`,
      source,
      type: 'ai.output.generated',
      time: new Date(ms).toISOString(),
      data: {
        outputId,
        employeeId: setup.employeeIds[employee],
        ...(explicitTeam !== undefined ? { teamId: explicitTeam } : {}),
        tool: tool.tool,
        ...(model !== undefined ? { model } : {}),
        taskType: task.taskType,
        inputTokens,
        outputTokens,
        ...(minutesSaved !== undefined ? { minutesSavedEstimate: minutesSaved } : {}),
      },
    });

    if (rng.chance(reworkProbabilityAt(options, setup, employee, toolIndex, taskIndex, ms))) {
      for (const kind of REWORK_KINDS[rng.pickIndex(kindWeights)]) pushRework(kind, outputId, employee, ms, source);
    }
    if (rng.chance(options.doubleCheckProbability)) pushRework('double_checked', outputId, employee, ms, source);
  };

  for (let dayMs = startOfUtcDay(startMs); dayMs < endMs; dayMs += DAY_MS) {
    const weekday = new Date(dayMs).getUTCDay();
    const meanPerUnitRate = perWeekday * (weekday === 0 || weekday === 6 ? options.weekendActivity : 1);
    for (let employee = 0; employee < setup.employeeIds.length; employee++) {
      const count = rng.poisson(meanPerUnitRate * setup.outputRate[employee]);
      for (let k = 0; k < count; k++) {
        const ms = dayMs + workFromMs + Math.floor(rng.next() * workSeconds) * 1000;
        if (ms >= startMs && ms < endMs) generateOutput(employee, ms);
      }
    }
    const dayEndMs = Math.min(dayMs + DAY_MS, endMs);
    while (heap.size > 0 && heap.peekTime() < dayEndMs) yield heap.pop();
  }
  while (heap.size > 0) yield heap.pop();
}

function reworkProbabilityAt(
  options: OrganisationOptions,
  setup: Setup,
  employee: number,
  toolIndex: number,
  taskIndex: number,
  ms: number,
): number {
  const startMs = options.start.getTime();
  const elapsed = (ms - startMs) / (options.end.getTime() - startMs);
  let p = options.taskTypes[taskIndex].reworkProbability + options.tools[toolIndex].reworkOffset + setup.baseline[employee] + options.reworkTrend * elapsed;
  for (const [fromMs, effect] of setup.effects[employee]) {
    if (fromMs > ms) break;
    p += effect;
  }
  return Math.min(REWORK_PROBABILITY_RANGE[1], Math.max(REWORK_PROBABILITY_RANGE[0], p));
}

function teamIndexAt(setup: Setup, employee: number, ms: number): number {
  const timeline = setup.teamTimeline[employee];
  let team = -1;
  for (const [fromMs, index] of timeline) {
    if (fromMs > ms) break;
    team = index;
  }
  return team < 0 ? setup.firstTeam[employee] : team;
}

function colleagueOf(employee: number, setup: Setup, rng: Prng): number {
  const members = setup.membersOfFirstTeam[setup.firstTeam[employee]];
  if (members.length < 2) return employee;
  // Draw among the other members: slots at or after the author's shift by one.
  const slot = rng.integer(0, members.length - 2);
  return members[slot >= setup.positionInFirstTeam[employee] ? slot + 1 : slot];
}

function teamNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i < TEAM_NAMES.length ? TEAM_NAMES[i] : `team-${i + 1}`));
}

function externalIdOf(employeeId: string, options: OrganisationOptions): string {
  return `mailto:${employeeId}@${options.emailDomain}`;
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
