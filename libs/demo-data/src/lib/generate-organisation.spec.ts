import { validateEvent } from '@rework-ledger/contracts';
import type { ReworkData, TaskType } from '@rework-ledger/domain';
import { generateOrganisation, type SyntheticOrganisation } from './generate-organisation';
import { preset } from './presets';
import type { SyntheticCloudEvent } from './synthetic-events';

const DAY_MS = 86_400_000;
const REWORK_TYPES = new Set(['ai.output.corrected', 'ai.output.rewritten', 'ai.output.discarded']);

type OutputFacts = {
  employeeId: string;
  tool: string;
  taskType: TaskType;
  ms: number;
  kinds: Set<string>;
};

/** Outputs by id with the kinds of rework they received, from a list of events. */
function outputsOf(events: readonly SyntheticCloudEvent[]): Map<string, OutputFacts> {
  const outputs = new Map<string, OutputFacts>();
  for (const event of events) {
    if (event.type === 'ai.output.generated') {
      const { outputId, employeeId, tool, taskType } = event.data;
      outputs.set(outputId, { employeeId, tool, taskType, ms: Date.parse(event.time), kinds: new Set() });
    } else if (event.type.startsWith('ai.output.')) {
      const data = event.data as ReworkData;
      outputs.get(data.outputId)?.kinds.add(event.type);
    }
  }
  return outputs;
}

const isReworked = (output: OutputFacts): boolean => [...output.kinds].some((kind) => REWORK_TYPES.has(kind));

describe('generateOrganisation', () => {
  const small = generateOrganisation(preset('small'));
  const smallEvents = small.allEvents();
  const demo = generateOrganisation(preset('demo'));
  const demoEvents = demo.allEvents();

  describe.each([
    ['small', small, smallEvents],
    ['demo', demo, demoEvents],
  ] as const)('the %s preset', (_name, organisation: SyntheticOrganisation, events: SyntheticCloudEvent[]) => {
    it('gives events that all pass contract v1', () => {
      const rejected = events
        .map((event) => ({ event, validation: validateEvent(event, { fromCredentials: 'demo' }) }))
        .filter(({ validation }) => !validation.ok);
      expect(rejected.slice(0, 3)).toEqual([]);
      expect(events.some((event) => 'tenant' in event)).toBe(false);
    });

    it('gives unique ids, in time order, setup first, nothing at or after the end', () => {
      expect(new Set(events.map((event) => `${event.source} ${event.id}`)).size).toBe(events.length);
      const times = events.map((event) => Date.parse(event.time));
      expect(times.every((ms, i) => i === 0 || times[i - 1] <= ms)).toBe(true);
      expect(times[times.length - 1]).toBeLessThan(organisation.options.end.getTime());
      const firstOutput = events.findIndex((event) => event.type === 'ai.output.generated');
      const setupTypes = events.slice(0, firstOutput).map((event) => event.type);
      const employees = organisation.options.employees;
      const courses = organisation.options.courses.length;
      expect(setupTypes.slice(0, courses + 2 * employees)).toEqual([
        ...Array(courses).fill('training.course_registered'),
        ...Array(employees).fill('employee.assigned'),
        ...Array(employees).fill('employee.identity_linked'),
      ]);
    });

    it('reworks every output at most once per kind, after it was generated, and a discard alone', () => {
      const generatedAt = new Map<string, number>();
      const kindsByOutput = new Map<string, string[]>();
      const problems: string[] = [];
      for (const event of events) {
        if (event.type === 'ai.output.generated') generatedAt.set(event.data.outputId, Date.parse(event.time));
        if (event.type.startsWith('ai.output.') && event.type !== 'ai.output.generated') {
          const { outputId, minutesSpent } = event.data as ReworkData;
          const kind = event.type.slice('ai.output.'.length) as keyof typeof organisation.options.reworkMinutes;
          const [min, max] = organisation.options.reworkMinutes[kind];
          if (!(Date.parse(event.time) > (generatedAt.get(outputId) ?? Infinity))) problems.push(`${event.id} before its output`);
          if (minutesSpent < min || minutesSpent > max) problems.push(`${event.id} spent ${minutesSpent} minutes`);
          kindsByOutput.set(outputId, [...(kindsByOutput.get(outputId) ?? []), event.type]);
        }
      }
      for (const [outputId, kinds] of kindsByOutput) {
        if (new Set(kinds).size !== kinds.length) problems.push(`${outputId} has a kind twice`);
        const reworks = kinds.filter((kind) => kind !== 'ai.output.double_checked');
        if (reworks.includes('ai.output.discarded') && reworks.length > 1) problems.push(`${outputId} discarded and reworked`);
      }
      expect(problems.slice(0, 5)).toEqual([]);
    });
  });

  it('is deterministic: the same seed gives the same events, another seed other events', () => {
    expect(JSON.stringify(generateOrganisation(preset('small')).allEvents())).toBe(JSON.stringify(smallEvents));
    const other = generateOrganisation(preset('small', { seed: 8 })).allEvents();
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(smallEvents));
    expect(JSON.stringify(generateOrganisation(preset('small')).groundTruth)).toBe(JSON.stringify(small.groundTruth));
  });

  it('never reads the clock: demo data ends at the given now', () => {
    const now = new Date('2030-03-15T10:20:30Z');
    const options = preset('demo', { now, employees: 20 });
    expect(options.end).toEqual(now);
    expect(options.start).toEqual(new Date(now.getTime() - 182 * DAY_MS));
    const times = generateOrganisation(options).allEvents().map((event) => Date.parse(event.time));
    expect(times.reduce((a, b) => Math.max(a, b), 0)).toBeLessThan(now.getTime());
  });

  it('sizes and shares of the small preset are in the expected ranges', () => {
    const count = (type: string): number => smallEvents.filter((event) => event.type === type).length;
    const outputs = smallEvents.filter((event) => event.type === 'ai.output.generated') as SyntheticCloudEvent<'ai.output.generated'>[];
    // 30 employees × 10 a week × 26 weeks.
    expect(outputs.length).toBeGreaterThan(6_500);
    expect(outputs.length).toBeLessThan(9_300);
    expect(count('training.course_registered')).toBe(1);
    expect(count('employee.identity_linked')).toBe(30);
    expect(count('employee.assigned')).toBe(31);
    expect(small.groundTruth.courses[0].trainees).toHaveLength(21);
    expect(count('training.completed')).toBeGreaterThanOrEqual(21);
    expect(new Set(outputs.map((event) => event.data.employeeId)).size).toBe(30);

    const byOutput = outputsOf(smallEvents);
    const reworkRate = [...byOutput.values()].filter(isReworked).length / outputs.length;
    expect(reworkRate).toBeGreaterThan(0.12);
    expect(reworkRate).toBeLessThan(0.3);
    const doubleChecked = [...byOutput.values()].filter((output) => output.kinds.has('ai.output.double_checked')).length;
    expect(doubleChecked / outputs.length).toBeGreaterThan(0.17);
    expect(doubleChecked / outputs.length).toBeLessThan(0.23);
    const withSaving = outputs.filter((event) => event.data.minutesSavedEstimate !== undefined).length;
    expect(withSaving / outputs.length).toBeGreaterThan(0.85);
    expect(withSaving / outputs.length).toBeLessThan(0.95);
    const withTeam = outputs.filter((event) => event.data.teamId !== undefined).length;
    expect(withTeam / outputs.length).toBeGreaterThan(0.015);
    expect(withTeam / outputs.length).toBeLessThan(0.045);
    expect(new Set(outputs.map((event) => event.data.tool))).toEqual(new Set(['copilot', 'chatgpt-enterprise', 'claude', 'internal-assistant']));
    expect(outputs.some((event) => event.data.tool === 'internal-assistant' && event.data.model !== undefined)).toBe(false);
  });

  it('sizes of the demo preset: 300 employees in 8 named teams, three courses of 150 trainees, staggered', () => {
    expect(demo.teams).toEqual(['platform', 'finance-ops', 'customer-support', 'sales', 'marketing', 'legal', 'people-ops', 'data-analytics']);
    const outputs = demoEvents.filter((event) => event.type === 'ai.output.generated').length;
    expect(outputs).toBeGreaterThan(68_000);
    expect(outputs).toBeLessThan(88_000);
    expect(demo.groundTruth.courses.map((course) => [course.courseId, course.trueEffect, course.trainees.length])).toEqual([
      ['prompting-for-analysts', -0.08, 150],
      ['critical-review-of-ai-output', -0.04, 150],
      ['ai-for-managers', 0, 150],
    ]);
    const { start, end } = demo.options;
    for (const course of demo.groundTruth.courses) {
      const fractions = course.trainees.map((t) => (t.completedAt.getTime() - start.getTime()) / (end.getTime() - start.getTime()));
      expect(Math.min(...fractions)).toBeLessThan(0.2);
      expect(Math.max(...fractions)).toBeGreaterThan(0.85);
      expect(course.trainees.every((t) => t.effectiveFrom.getTime() === Math.floor(t.completedAt.getTime() / DAY_MS) * DAY_MS)).toBe(true);
    }
    const movers = demo.groundTruth.employees.filter((employee) => employee.assignments.length === 2);
    expect(movers).toHaveLength(9);
    for (const mover of movers) {
      const [first, second] = mover.assignments;
      expect(demo.teamAt(mover.employeeId, new Date(second.effectiveFrom.getTime() - 1))).toBe(first.teamId);
      expect(demo.teamAt(mover.employeeId, second.effectiveFrom)).toBe(second.teamId);
    }
    const costs = demo.groundTruth.employees.map((employee) => employee.assignments[0].hourlyCost);
    expect(Math.min(...costs)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...costs)).toBeLessThanOrEqual(120);
    const links = demoEvents.filter((event) => event.type === 'employee.identity_linked') as SyntheticCloudEvent<'employee.identity_linked'>[];
    expect(links[0].data).toEqual({ employeeId: 'emp-00001', system: 'lms', externalId: 'mailto:emp-00001@example.com' });
  });

  it('applies a course effect additively from the start of the UTC day of completion', () => {
    const trainee = demo.groundTruth.courses[0].trainees[0];
    const output = { employeeId: trainee.employeeId, tool: 'chatgpt-enterprise', taskType: 'drafting' as const };
    const before = demo.reworkProbability({ ...output, time: new Date(trainee.effectiveFrom.getTime() - 1) });
    const after = demo.reworkProbability({ ...output, time: trainee.effectiveFrom });
    const trendPerMs = demo.groundTruth.trend.perDay / DAY_MS;
    expect(after - before).toBeCloseTo(-0.08 + trendPerMs, 10);
  });

  it('reflects effect + trend in trainees’ rework 28 days after completion versus 28 days before', () => {
    const byOutput = outputsOf(demoEvents);
    const outputsByEmployee = new Map<string, OutputFacts[]>();
    for (const output of byOutput.values()) outputsByEmployee.set(output.employeeId, [...(outputsByEmployee.get(output.employeeId) ?? []), output]);
    const windowMs = 28 * DAY_MS;
    const trendOverWindow = demo.groundTruth.trend.perDay * 28;

    for (const course of demo.groundTruth.courses) {
      const tally = { pre: [0, 0, 0], post: [0, 0, 0] }; // outputs, reworked, expected reworked
      for (const trainee of course.trainees) {
        const d = trainee.effectiveFrom.getTime();
        for (const output of outputsByEmployee.get(trainee.employeeId) ?? []) {
          const window = output.ms >= d - windowMs && output.ms < d ? tally.pre : output.ms >= d && output.ms < d + windowMs ? tally.post : undefined;
          if (window === undefined) continue;
          window[0] += 1;
          window[1] += isReworked(output) ? 1 : 0;
          window[2] += demo.reworkProbability({ ...output, time: new Date(output.ms) });
        }
      }
      const empirical = tally.post[1] / tally.post[0] - tally.pre[1] / tally.pre[0];
      const expected = tally.post[2] / tally.post[0] - tally.pre[2] / tally.pre[0];
      // The generator's coin tosses agree with its own probabilities...
      expect(Math.abs(empirical - expected)).toBeLessThan(0.02);
      // ...which move by the course effect and the trend (other courses and the clamp add a little).
      expect(Math.abs(expected - (course.trueEffect + trendOverWindow))).toBeLessThan(0.02);
      expect(Math.abs(empirical - (course.trueEffect + trendOverWindow))).toBeLessThan(0.035);
    }
  });

  it('rejects options that cannot give valid events, naming the option', () => {
    expect(() => generateOrganisation({ employees: 0 })).toThrow(expect.objectContaining({ code: 'DEMO_DATA.INVALID_OPTION', field: 'employees' }));
    expect(() => generateOrganisation({ reworkMinutes: { corrected: [10, 2000], rewritten: [1, 2], double_checked: [1, 2], discarded: [1, 2] } })).toThrow(
      expect.objectContaining({ field: 'reworkMinutes.corrected' }),
    );
    expect(() => generateOrganisation({ start: new Date('2025-02-01Z'), end: new Date('2025-01-01Z') })).toThrow(expect.objectContaining({ field: 'end' }));
  });
});
