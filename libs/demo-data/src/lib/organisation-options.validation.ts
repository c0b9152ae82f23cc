import { LedgerError, TASK_TYPES } from '@rework-ledger/domain';
import { MAX_MINUTES_SPENT } from '@rework-ledger/contracts';
import type { OrganisationOptions } from './organisation-options';

const INVALID = 'DEMO_DATA.INVALID_OPTION';

/** Throws a LedgerError naming the first option that cannot produce contract-valid events. */
export function assertValidOptions(options: OrganisationOptions): void {
  const fail = (field: string, message: string): never => {
    throw new LedgerError(INVALID, `${field} ${message}`, field);
  };
  const share = (field: string, value: number): void => {
    if (!(value >= 0 && value <= 1)) fail(field, 'must be a number in [0, 1]');
  };
  const range = (field: string, [min, max]: readonly [number, number], low = 0, high = Infinity): void => {
    if (!(Number.isFinite(min) && Number.isFinite(max) && low <= min && min <= max && max <= high)) {
      fail(field, `must be [min, max] with ${low} ≤ min ≤ max ≤ ${high}`);
    }
  };

  if (!Number.isFinite(options.seed)) fail('seed', 'must be a finite number');
  if (!Number.isInteger(options.employees) || options.employees < 1) fail('employees', 'must be a positive integer');
  const teams = options.teams;
  if (typeof teams === 'number' ? !Number.isInteger(teams) || teams < 1 : teams.length < 1 || new Set(teams).size !== teams.length || teams.some((t) => t.length === 0)) {
    fail('teams', 'must be a positive integer or distinct non-empty team ids');
  }
  if (!(options.start instanceof Date) || !(options.end instanceof Date) || !(options.start.getTime() < options.end.getTime())) {
    fail('end', 'must be a Date after start');
  }
  if (!(options.outputsPerEmployeePerWeek >= 0)) fail('outputsPerEmployeePerWeek', 'must be ≥ 0');
  if (!(options.outputsVariation >= 0)) fail('outputsVariation', 'must be ≥ 0');
  if (!(options.baselineNoise >= 0)) fail('baselineNoise', 'must be ≥ 0');
  if (!Number.isFinite(options.reworkTrend)) fail('reworkTrend', 'must be a finite number');
  share('weekendActivity', options.weekendActivity);
  range('workingHoursUtc', options.workingHoursUtc, 0, 24);
  if (options.workingHoursUtc[0] === options.workingHoursUtc[1]) fail('workingHoursUtc', 'must span some time');
  if (options.tools.length === 0 || options.tools.every((tool) => !(tool.share > 0))) fail('tools', 'must include a tool with share > 0');
  if (options.taskTypes.length === 0 || options.taskTypes.every((task) => !(task.share > 0))) fail('taskTypes', 'must include a task type with share > 0');
  for (const task of options.taskTypes) {
    if (!(TASK_TYPES as readonly string[]).includes(task.taskType)) fail('taskTypes', `has unknown task type ${task.taskType}`);
  }
  const courseIds = options.courses.map((course) => course.courseId);
  if (new Set(courseIds).size !== courseIds.length || courseIds.some((id) => id.length === 0)) fail('courses', 'must have distinct non-empty courseIds');
  for (const course of options.courses) {
    share(`courses.${course.courseId}.traineeShare`, course.traineeShare);
    if (!Number.isFinite(course.trueEffect)) fail(`courses.${course.courseId}.trueEffect`, 'must be a finite number');
    if (course.completionSpread !== undefined) range(`courses.${course.courseId}.completionSpread`, course.completionSpread, 0, 1);
  }
  range('completionSpread', options.completionSpread, 0, 1);
  share('recompletionShare', options.recompletionShare);
  const mix = options.reworkKindMix;
  if ([mix.corrected, mix.rewritten, mix.correctedAndRewritten, mix.discarded].some((w) => !(w >= 0)) || mix.corrected + mix.rewritten + mix.correctedAndRewritten + mix.discarded <= 0) {
    fail('reworkKindMix', 'must be weights ≥ 0 with a positive sum');
  }
  for (const [kind, minutes] of Object.entries(options.reworkMinutes)) range(`reworkMinutes.${kind}`, minutes, 0, MAX_MINUTES_SPENT);
  range('reworkDelayMinutes', options.reworkDelayMinutes, 1 / 60);
  range('doubleCheckDelayMinutes', options.doubleCheckDelayMinutes, 1 / 60);
  share('doubleCheckProbability', options.doubleCheckProbability);
  share('reworkByColleagueShare', options.reworkByColleagueShare);
  share('minutesSavedEstimateShare', options.minutesSavedEstimateShare);
  range('hourlyCost', options.hourlyCost);
  share('teamChangeShare', options.teamChangeShare);
  share('explicitTeamShare', options.explicitTeamShare);
}
