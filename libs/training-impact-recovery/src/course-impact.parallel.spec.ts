// The parallel estimate on generated organisations. Its internals (redrawn resamples, the split of the resamples) are
// tested beside them, in libs/training-impact/src/lib/course-impact.parallel.spec.ts.
import { DEFAULT_COURSES, preset } from '@rework-ledger/demo-data';
import { LedgerError } from '@rework-ledger/domain';
import { closeCourseImpactWorkers, estimateCourseImpact, estimateCourseImpactInParallel, type CourseImpactInput } from '@rework-ledger/training-impact';
import { scenario } from './synthetic-course.test-support';

// Every organisation here is far below the size at which the estimator would start threads by itself.
const onThreads = (threads: number) => ({ threads, sequentialBelow: 0 });

// 6 employees, half of them trained: a resample often draws no trainee with a control, and is drawn again.
const tiny = (): CourseImpactInput =>
  scenario(preset('small', { seed: 2, tenant: 'tiny', employees: 6, teams: 1, courses: [{ ...DEFAULT_COURSES[0], traineeShare: 0.5 }] })).input;

const organisations: [string, () => CourseImpactInput][] = [
  ['a small organisation (30 employees, 70 % trained)', () => scenario(preset('small', { seed: 1, tenant: 'small-1' })).input],
  ['another, with 203 resamples (not a whole number of blocks) and another seed', () => ({ ...scenario(preset('small', { seed: 2, tenant: 'small-2' })).input, resamples: 203, seed: 99 })],
  [
    'an organisation of 100 employees (half trained)',
    () => scenario(preset('demo', { seed: 5, tenant: 'parallel-5', employees: 100, outputsPerEmployeePerWeek: 8, courses: [DEFAULT_COURSES[0]] })).input,
  ],
  ['an organisation of 6 employees, whose resamples are often drawn again', tiny],
];

afterAll(() => closeCourseImpactWorkers());

describe('estimateCourseImpactInParallel', () => {
  describe.each(organisations)('given %s', (_name, inputOf) => {
    const input = inputOf();
    const sequential = estimateCourseImpact(input);

    it.each([2, 3])('when the resamples are split over %i worker threads, then the estimate is the sequential one exactly', async (threads) => {
      const parallel = await estimateCourseImpactInParallel(input, onThreads(threads));
      expect(parallel).toEqual(sequential);
      expect(parallel.ci95).not.toBeNull();
      expect(parallel.placebo?.ci95).not.toBeNull();
    });
  });

  describe('given one thread, or the trainee-only resampling', () => {
    it('then the answer is the sequential one', async () => {
      const input = tiny();
      expect(await estimateCourseImpactInParallel(input, onThreads(1))).toEqual(estimateCourseImpact(input));
      expect(await estimateCourseImpactInParallel(input, { ...onThreads(2), resampling: 'trainees' })).toEqual(estimateCourseImpact(input, { resampling: 'trainees' }));
    });
  });

  describe('given workers that were closed', () => {
    it('then the next estimate starts new ones', async () => {
      const input = tiny();
      await estimateCourseImpactInParallel(input, onThreads(2));
      await closeCourseImpactWorkers();
      expect(await estimateCourseImpactInParallel(input, onThreads(2))).toEqual(estimateCourseImpact(input));
    });
  });

  describe('given a number of threads that is not an integer', () => {
    it('then it is rejected with a code and the field', async () => {
      const rejection = estimateCourseImpactInParallel(tiny(), { threads: 1.5 });
      await expect(rejection).rejects.toBeInstanceOf(LedgerError);
      await expect(rejection).rejects.toMatchObject({ code: 'TRAINING_IMPACT.INVALID_INPUT', field: 'threads' });
    });
  });
});
