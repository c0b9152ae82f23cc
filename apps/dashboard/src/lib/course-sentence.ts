import type { CourseImpact } from './api-types';
import { formatDays, formatHorizon, formatHours, formatPoints, formatPointsInterval, formatRoi, formatRoiRange, formatSignedPoints } from './format';

/** What the estimate of a course says, in one word the UI can colour by. */
export type CourseVerdict = 'effective' | 'harmful' | 'no-effect' | 'unreliable' | 'too-early' | 'withheld';

/** A piece of a sentence; `emphasis` marks the course title. */
export type Segment = Readonly<{ text: string; emphasis?: boolean }>;

export type CourseSentence = Readonly<{ verdict: CourseVerdict; segments: readonly Segment[] }>;

/** The sentence as plain text. */
export function sentenceText(sentence: CourseSentence): string {
  return sentence.segments.map((segment) => segment.text).join('');
}

/** A signed interval in points: [−0.05, 0.01] → "−5 to +1". */
const signedInterval = (interval: readonly [number, number]) => formatPointsInterval(interval, '');

/**
 * The plain-language verdict on a course: what completing it changed against colleagues not yet trained, with its
 * uncertainty and value when the effect is significant and the placebo check is clean, and an honest sentence when not.
 */
export function courseSentence(impact: CourseImpact): CourseSentence {
  const title: Segment = { text: impact.title, emphasis: true };
  const { trainees } = impact;
  if (!impact.estimateShown) {
    return {
      verdict: 'withheld',
      segments: [
        { text: `Too few trainees qualify (${trainees.eligible}) to show the effect of ` },
        title,
        { text: ' without exposing individuals; an administrator key shows it.' },
      ],
    };
  }
  if (impact.att === null || impact.ci95 === null) {
    const reasons = [
      trainees.pending > 0 ? `${trainees.pending} still within their ${impact.windowDays}-day window` : '',
      trainees.insufficient > 0 ? `${trainees.insufficient} with fewer than ${impact.minOutputs} AI outputs before or after` : '',
      trainees.dropped > 0 ? `${trainees.dropped} without a comparable untrained colleague` : '',
    ].filter(Boolean);
    const total = trainees.pending + trainees.insufficient + trainees.dropped;
    return {
      verdict: 'too-early',
      segments:
        total === 0
          ? [{ text: 'Nobody has completed ' }, title, { text: ' yet: there is nothing to measure.' }]
          : [{ text: 'Too early to measure ' }, title, { text: `: of ${total} trainee${total === 1 ? '' : 's'}, ${reasons.join(', ')}.` }],
    };
  }
  const att = impact.att;
  const [low, high] = impact.ci95;
  if (impact.placebo?.flagged) {
    return {
      verdict: 'unreliable',
      segments: [
        { text: 'The measured effect of ' },
        title,
        {
          text:
            ` (${formatSignedPoints(att)}, 95% CI ${signedInterval(impact.ci95)}) is not reliable: the trainees' rework was already ` +
            'drifting apart from their colleagues’ before the course (the pre-trend check failed).',
        },
      ],
    };
  }
  if (!impact.significant) {
    const naive = impact.naive === null ? '' : ` A naive before/after comparison would say ${formatSignedPoints(impact.naive)}.`;
    return {
      verdict: 'no-effect',
      segments: [
        { text: 'No measurable effect of ' },
        title,
        {
          text:
            ` on rework yet: ${formatSignedPoints(att)} against colleagues not yet trained, but the 95% CI ` +
            `(${signedInterval(impact.ci95)} pts) includes zero (${trainees.eligible} trainees measured).${naive}`,
        },
      ],
    };
  }
  if (att > 0) {
    return {
      verdict: 'harmful',
      segments: [
        { text: 'Completing ' },
        title,
        {
          text:
            ` was followed by ${formatPoints(att)} more points of rework (95% CI ${formatPoints(low)}–${formatPoints(high)}) than ` +
            'among colleagues not yet trained: worth a look at what it teaches.',
        },
      ],
    };
  }
  const { value } = impact;
  const worth = value.hoursSaved === null ? '' : `; worth ${formatHours(value.hoursSaved, ' hours')} ${formatHorizon(impact.horizonDays)}`;
  let roi = '';
  if (value.roi !== null) roi = `, ROI ${formatRoi(value.roi)}${value.roiRange ? ` (${formatRoiRange(value.roiRange)})` : ''}`;
  else if (value.cost === 0) roi = ', at no cost per seat';
  else roi = ' (no ROI: the course is priced in another currency than the tenant’s)';
  const payback = value.paybackDays !== null && value.roi !== null ? `, paid back in ${formatDays(value.paybackDays)}` : '';
  return {
    verdict: 'effective',
    segments: [
      { text: 'Completing ' },
      title,
      {
        text: ` cut rework by ${formatPoints(att)} points (95% CI ${formatPoints(high)}–${formatPoints(low)}) against colleagues not yet trained${worth}${roi}${payback}.`,
      },
    ],
  };
}

/** One course in the effect chart: ATT and naive in points, the CI as error-bar offsets [below, above] the ATT. */
export type ImpactChartRow = Readonly<{ courseId: string; title: string; att: number | null; naive: number | null; attError: [number, number] | null }>;

/** The rows of the effect chart (ATT with its 95% CI beside the naive before/after), in percentage points. */
export function impactChartRows(impacts: readonly CourseImpact[]): ImpactChartRow[] {
  const points = (rate: number) => Math.round(rate * 1000) / 10;
  return impacts.map((impact) => {
    const att = impact.att === null ? null : points(impact.att);
    return {
      courseId: impact.courseId,
      title: impact.title,
      att,
      naive: impact.naive === null ? null : points(impact.naive),
      attError: att === null || impact.ci95 === null ? null : [Math.max(0, att - points(impact.ci95[0])), Math.max(0, points(impact.ci95[1]) - att)],
    };
  });
}

/** The headline of the learning view: which courses measurably paid off. */
export function learningHeadline(impacts: readonly CourseImpact[]): string {
  if (impacts.length === 0) return 'No course is registered yet: send training.course_registered and training.completed events (or xAPI statements).';
  const effective = impacts.filter((impact) => courseSentence(impact).verdict === 'effective');
  const count = `${effective.length} of ${impacts.length} course${impacts.length === 1 ? '' : 's'}`;
  if (effective.length === 0) return `${count} measurably cut rework so far.`;
  const names = effective.map((impact) => `${impact.title} (${formatSignedPoints(impact.att)})`).join(', ');
  return `${count} measurably cut rework: ${names}.`;
}
