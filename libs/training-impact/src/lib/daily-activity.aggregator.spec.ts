import { type ActivityEvent, aggregateDailyActivity } from './daily-activity.aggregator';

const completed = (employeeId: string, time: string, courseId = 'prompting'): ActivityEvent => ({ type: 'training.completed', time, data: { employeeId, courseId } });
const retracted = (employeeId: string, time: string, courseId = 'prompting'): ActivityEvent => ({ type: 'training.completion_retracted', time, data: { employeeId, courseId } });
const ASOF = new Date('2026-03-01T00:00:00Z');
const completionsOf = (events: ActivityEvent[], asOf = ASOF) =>
  Object.fromEntries([...aggregateDailyActivity(events, asOf).completions].map(([courseId, list]) => [courseId, list.map((c) => `${c.employeeId} ${c.completedAt.toISOString().slice(0, 10)}`)]));

describe('aggregateDailyActivity: completions and their retractions (the reference of the training read model)', () => {
  it('given a retraction, then the completions of its employee and course before it are withdrawn; a later one stands', () => {
    expect(completionsOf([completed('dana', '2026-02-01T10:00:00Z'), retracted('dana', '2026-02-03T00:00:00Z'), completed('dana', '2026-02-05T10:00:00Z')])).toEqual({ prompting: ['dana 2026-02-05'] });
  });

  it('given a retraction after asOf, or before the completion in the input, then it applies all the same', () => {
    expect(completionsOf([retracted('dana', '2026-06-01T00:00:00Z'), completed('dana', '2026-02-01T10:00:00Z')])).toEqual({});
  });

  it('given other employees and courses, then their completions stand', () => {
    const events = [completed('dana', '2026-02-01T10:00:00Z'), completed('erin', '2026-02-01T10:00:00Z'), completed('dana', '2026-02-01T10:00:00Z', 'review'), retracted('dana', '2026-02-03T00:00:00Z')];
    expect(completionsOf(events)).toEqual({ prompting: ['erin 2026-02-01'], review: ['dana 2026-02-01'] });
  });
});
