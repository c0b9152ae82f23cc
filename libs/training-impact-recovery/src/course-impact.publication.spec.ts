// The eligible trainees of the publication on a generated organisation; the week rules themselves are tested in
// libs/training-impact/src/lib/course-impact.publication.spec.ts.
import { preset } from '@rework-ledger/demo-data';
import { courseImpactTrainees, eligibleFromDays, traineeCategories, weekStartDay, type DailyActivity } from '@rework-ledger/training-impact';
import { scenario } from './synthetic-course.test-support';

const DAY_MS = 86_400_000;

describe('the eligible trainees as of a week, without the comparisons', () => {
  const { input } = scenario(preset('small', { seed: 5, tenant: 'publication' }));
  const ofCategory = (trainees: readonly { employeeId: string; category: string }[]) => trainees.map(({ employeeId, category }) => ({ employeeId, category }));

  it('gives every trainee the category the full preparation gives, including a trainee dropped for want of controls', () => {
    expect(ofCategory(traineeCategories(input))).toEqual(ofCategory(courseImpactTrainees(input)));
    const strict = { ...input, minOutputs: 40 };
    expect(ofCategory(traineeCategories(strict))).toEqual(ofCategory(courseImpactTrainees(strict)));
    // Trainees alone: the last ones to complete have nobody left to compare with.
    const measured = input.completions.filter((c) => c.completedAt.getTime() < input.asOf.getTime() - (input.windowDays + 1) * DAY_MS);
    const trainees = new Set(measured.map((c) => c.employeeId));
    const activity = (input.activity as DailyActivity[]).filter((row) => trainees.has(row.employeeId));
    const traineesOnly = { ...input, completions: measured, employees: [...trainees], activity };
    const categories = traineeCategories(traineesOnly);
    expect(categories.some((t) => t.category === 'dropped')).toBe(true);
    expect(ofCategory(categories)).toEqual(ofCategory(courseImpactTrainees(traineesOnly)));
  });

  it('gives, as of any earlier week, exactly the trainees eligible from dᵢ + W on (the sets are nested)', () => {
    const eligibleFrom = eligibleFromDays(traineeCategories(input), input.windowDays);
    const last = weekStartDay(Math.floor(input.asOf.getTime() / DAY_MS));
    for (let week = last; week > last - 26 * 7; week -= 7) {
      const asOf = new Date(week * DAY_MS);
      const eligible = courseImpactTrainees({ ...input, asOf }).filter((t) => t.category === 'eligible').length;
      expect(eligibleFrom.filter((d) => d <= week).length).toBe(eligible);
    }
  });
});
