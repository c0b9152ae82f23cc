import type { CourseImpact } from './api-types';
import { courseSentence, impactChartRows, learningHeadline, sentenceText } from './course-sentence';

const impact = (overrides: Partial<Omit<CourseImpact, 'value'>> & { value?: Partial<CourseImpact['value']> } = {}): CourseImpact => {
  const { value, ...rest } = overrides;
  return {
    courseId: 'prompting-for-analysts',
    title: 'Prompting for analysts',
    metricVersion: 'v1',
    asOf: '2025-07-01T00:00:00.000Z',
    windowDays: 28,
    minOutputs: 5,
    horizonDays: 90,
    currency: 'EUR',
    estimateShown: true,
    att: -0.06,
    naive: -0.09,
    ci95: [-0.09, -0.03],
    significant: true,
    placebo: { att: 0.004, ci95: [-0.02, 0.03], flagged: false },
    trainees: { eligible: 40, pending: 3, insufficient: 2, dropped: 0 },
    ...rest,
    value: {
      minutesPerReworkedOutput: 22,
      avoidedReworks: 1100,
      hoursSaved: 410,
      valueSaved: 24_600,
      valueSavedRange: [12_300, 36_900],
      cost: 5_860,
      roi: 3.2,
      roiRange: [1.5, 4.8],
      paybackDays: 21.4,
      ...value,
    },
  };
};

describe('the plain-language sentence of a course', () => {
  it('given a significant reduction with a clean placebo, then it says what was cut, with its CI, hours a quarter and ROI', () => {
    const sentence = courseSentence(impact());
    expect(sentence.verdict).toBe('effective');
    expect(sentenceText(sentence)).toBe(
      'Completing Prompting for analysts cut rework by 6 points (95% CI 3–9) against colleagues not yet trained; ' +
        'worth 410 hours a quarter, ROI 320% (150–480%), paid back in 21 days.',
    );
    expect(sentence.segments.filter((segment) => segment.emphasis)).toEqual([{ text: 'Prompting for analysts', emphasis: true }]);
  });

  it('given a significant reduction but a course priced in another currency, then it gives the hours and says why there is no ROI', () => {
    const text = sentenceText(courseSentence(impact({ value: { roi: null, roiRange: null, paybackDays: null } })));
    expect(text).toBe(
      'Completing Prompting for analysts cut rework by 6 points (95% CI 3–9) against colleagues not yet trained; ' +
        'worth 410 hours a quarter (no ROI: the course is priced in another currency than the tenant’s).',
    );
  });

  it('given an interval that includes zero, then it says there is no measurable effect and shows the naive figure beside it', () => {
    const sentence = courseSentence(impact({ att: -0.02, ci95: [-0.05, 0.01], significant: false }));
    expect(sentence.verdict).toBe('no-effect');
    expect(sentenceText(sentence)).toBe(
      'No measurable effect of Prompting for analysts on rework yet: −2 pts against colleagues not yet trained, but the 95% CI ' +
        '(−5 to +1 pts) includes zero (40 trainees measured). A naive before/after comparison would say −9 pts.',
    );
  });

  it('given a flagged placebo, then it says the estimate is not reliable, even when significant', () => {
    const sentence = courseSentence(impact({ placebo: { att: -0.05, ci95: [-0.08, -0.02], flagged: true } }));
    expect(sentence.verdict).toBe('unreliable');
    expect(sentenceText(sentence)).toContain('(−6 pts, 95% CI −9 to −3) is not reliable');
    expect(sentenceText(sentence)).toContain('pre-trend check failed');
  });

  it('given a significant increase, then it says rework went up', () => {
    const sentence = courseSentence(impact({ att: 0.04, ci95: [0.01, 0.07], naive: 0.03 }));
    expect(sentence.verdict).toBe('harmful');
    expect(sentenceText(sentence)).toBe(
      'Completing Prompting for analysts was followed by 4 more points of rework (95% CI 1–7) than among colleagues not yet trained: worth a look at what it teaches.',
    );
  });

  it('given no eligible trainee, then it says why it is too early', () => {
    const sentence = courseSentence(impact({ att: null, naive: null, ci95: null, significant: false, placebo: null, trainees: { eligible: 0, pending: 4, insufficient: 1, dropped: 0 } }));
    expect(sentence.verdict).toBe('too-early');
    expect(sentenceText(sentence)).toBe('Too early to measure Prompting for analysts: of 5 trainees, 4 still within their 28-day window, 1 with fewer than 5 AI outputs before or after.');
    expect(sentenceText(courseSentence(impact({ att: null, ci95: null, trainees: { eligible: 0, pending: 0, insufficient: 0, dropped: 0 } })))).toBe(
      'Nobody has completed Prompting for analysts yet: there is nothing to measure.',
    );
  });

  it('given an estimate withheld for privacy, then it says so', () => {
    const sentence = courseSentence(impact({ estimateShown: false, att: null, ci95: null, trainees: { eligible: 3, pending: 0, insufficient: 0, dropped: 0 } }));
    expect(sentence.verdict).toBe('withheld');
    expect(sentenceText(sentence)).toContain('Too few trainees qualify (3)');
  });
});

describe('the effect chart and the learning headline', () => {
  it('gives ATT and naive in points and the CI as offsets below and above the ATT', () => {
    expect(impactChartRows([impact(), impact({ courseId: 'x', att: null, naive: null, ci95: null })])).toEqual([
      { courseId: 'prompting-for-analysts', title: 'Prompting for analysts', att: -6, naive: -9, attError: [3, 3] },
      { courseId: 'x', title: 'Prompting for analysts', att: null, naive: null, attError: null },
    ]);
  });

  it('names the courses that measurably cut rework', () => {
    expect(learningHeadline([impact(), impact({ title: 'Review basics', significant: false, ci95: [-0.05, 0.01] })])).toBe(
      '1 of 2 courses measurably cut rework: Prompting for analysts (−6 pts).',
    );
    expect(learningHeadline([])).toContain('No course is registered yet');
  });
});
