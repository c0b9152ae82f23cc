// The eligible trainees of a generated organisation (libs/demo-data) are checked in libs/training-impact-recovery.
import { activityAsOf, publishedWeek, snapToWeekStart, weekStartDay } from './course-impact.publication';

const DAY_MS = 86_400_000;
const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const at = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

describe('snapping asOf to ISO week starts', () => {
  it.each([
    ['2026-03-04T15:30:00Z', '2026-03-02T00:00:00.000Z'], // a Wednesday → its Monday
    ['2026-03-02T00:00:00Z', '2026-03-02T00:00:00.000Z'], // a Monday at midnight is its own week start
    ['2026-03-02T00:00:00.001Z', '2026-03-02T00:00:00.000Z'],
    ['2026-03-08T23:59:59Z', '2026-03-02T00:00:00.000Z'], // Sunday still belongs to Monday's week
    ['2026-03-09T00:00:00Z', '2026-03-09T00:00:00.000Z'],
    ['1969-12-31T12:00:00Z', '1969-12-29T00:00:00.000Z'], // before 1970: the modulo stays positive
  ])('snaps %s down to %s', (asOf, expected) => {
    expect(snapToWeekStart(new Date(asOf)).toISOString()).toBe(expected);
  });

  it('gives Mondays only', () => {
    for (let d = -30; d < 30; d++) expect(new Date(weekStartDay(d) * DAY_MS).getUTCDay()).toBe(1);
  });
});

describe('the published week of a course impact', () => {
  it('publishes nothing until k trainees are eligible', () => {
    expect(publishedWeek([day('2026-03-03'), day('2026-03-04')], at('2026-03-30'), 3)).toBeNull();
  });

  it('publishes at the first week start where k trainees are eligible, and keeps it while fewer than k more join', () => {
    // Given k = 3, three trainees eligible during the week of March 2, then one more each week.
    const eligibleFrom = ['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-10', '2026-03-17'].map(day);
    // When asked as of the following Mondays, then the estimate of March 9 stands: 1 and 2 trainees joined since.
    expect(publishedWeek(eligibleFrom, at('2026-03-09'), 3)).toEqual({ asOf: at('2026-03-09'), eligible: 3 });
    expect(publishedWeek(eligibleFrom, at('2026-03-16'), 3)).toEqual({ asOf: at('2026-03-09'), eligible: 3 });
    expect(publishedWeek(eligibleFrom, at('2026-03-23'), 3)).toEqual({ asOf: at('2026-03-09'), eligible: 3 });
    // Before that week, nothing.
    expect(publishedWeek(eligibleFrom, at('2026-03-02'), 3)).toBeNull();
  });

  it('moves when k trainees joined since the last published estimate', () => {
    const eligibleFrom = ['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-10', '2026-03-17', '2026-03-18'].map(day);
    expect(publishedWeek(eligibleFrom, at('2026-03-23'), 3)).toEqual({ asOf: at('2026-03-23'), eligible: 6 });
    expect(publishedWeek(eligibleFrom, at('2026-04-27'), 3)).toEqual({ asOf: at('2026-03-23'), eligible: 6 });
  });

  it('counts a trainee eligible from a Monday in that Monday', () => {
    expect(publishedWeek(['2026-03-09', '2026-03-09'].map(day), at('2026-03-09'), 2)).toEqual({ asOf: at('2026-03-09'), eligible: 2 });
  });

  it('ignores trainees eligible after the week asked for', () => {
    expect(publishedWeek(['2026-03-03', '2026-03-04', '2026-03-20'].map(day), at('2026-03-16'), 3)).toBeNull();
  });

  it('never gives two published estimates less than k trainees apart, whatever the week asked for', () => {
    const k = 4;
    const eligibleFrom = Array.from({ length: 60 }, (_, i) => day('2026-01-01') + ((i * 37) % 150));
    const seen = new Map<number, number>();
    for (let week = weekStartDay(day('2026-01-01')); week < day('2026-07-01'); week += 7) {
      const published = publishedWeek(eligibleFrom, new Date(week * DAY_MS), k);
      if (published) seen.set(published.asOf.getTime(), published.eligible);
    }
    const counts = [...seen.values()].sort((a, b) => a - b);
    expect(counts[0]).toBeGreaterThanOrEqual(k);
    for (let i = 1; i < counts.length; i++) expect(counts[i] - counts[i - 1]).toBeGreaterThanOrEqual(k);
  });
});

describe('the activity as of an earlier day', () => {
  it('leaves out the days from asOf and the rework done from asOf, and the employees left without rows', () => {
    const recorded = {
      employeeIds: ['a', 'b'],
      rowStart: Int32Array.from([0, 2, 3]),
      day: Int32Array.from([10, 12, 12]),
      outputs: Int32Array.from([4, 3, 2]),
      reworked: Int32Array.from([2, 1, 1]),
      reworkMinutes: Float64Array.from([30, 5, 7]),
    };
    const later = [{ employeeId: 'a', day: 10, outputs: 0, reworked: 1, reworkMinutes: 20 }];
    const asOf = activityAsOf(recorded, later, 12);
    expect(asOf.employeeIds).toEqual(['a']);
    expect([...asOf.rowStart]).toEqual([0, 1]);
    expect([...asOf.day]).toEqual([10]);
    expect([...asOf.outputs]).toEqual([4]);
    expect([...asOf.reworked]).toEqual([1]);
    expect([...asOf.reworkMinutes]).toEqual([10]);
  });
});
