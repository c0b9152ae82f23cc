import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, COLORS, Empty, Failed, Loading } from '../components/common';
import type { ApiError } from '../lib/api-client';
import type { Course, CourseImpact, CoursesAnswer } from '../lib/api-types';
import { courseSentence, impactChartRows, learningHeadline } from '../lib/course-sentence';
import { formatCount, formatDays, formatHours, formatMoney, formatPointsInterval, formatRoi, formatRoiRange, formatSignedPoints, NO_VALUE } from '../lib/format';
import { useApi } from '../lib/use-api';

/** Did training change behaviour? Each course's effect on rework with its uncertainty, its value and the counts behind it. */
export function LearningView(props: { apiKey: string; onBadKey: (error: ApiError) => void }) {
  const courses = useApi<[CoursesAnswer]>(['/v1/training/courses'], props.apiKey, props.onBadKey);
  return (
    <div className="view" data-testid="learning-view">
      {courses.state === 'loading' && <Loading what="courses" />}
      {courses.state === 'failed' && <Failed error={courses.error} retry={courses.retry} />}
      {courses.state === 'ready' &&
        (courses.data[0].courses.length === 0 ? (
          <Empty>
            <p>{learningHeadline([])}</p>
          </Empty>
        ) : (
          <CourseImpacts apiKey={props.apiKey} onBadKey={props.onBadKey} courses={courses.data[0].courses} />
        ))}
    </div>
  );
}

function CourseImpacts(props: { apiKey: string; onBadKey: (error: ApiError) => void; courses: Course[] }) {
  const impacts = useApi<CourseImpact[]>(
    props.courses.map((course) => `/v1/training/courses/${encodeURIComponent(course.courseId)}/impact`),
    props.apiKey,
    props.onBadKey,
  );
  if (impacts.state === 'loading') return <Loading what="course impact (bootstrap confidence intervals)" />;
  if (impacts.state === 'failed') return <Failed error={impacts.error} retry={impacts.retry} />;
  const rows = impactChartRows(impacts.data);
  const asOf = impacts.data[0]?.asOf.slice(0, 10);
  const first = impacts.data[0];
  return (
    <>
      <p className="headline" data-testid="learning-headline">
        {learningHeadline(impacts.data)}
      </p>
      <div className="grid">
        <Card
          wide
          title="Effect of each course on its trainees' rework rate"
          subtitle={
            <>
              Points of rework rate after completing the course, against colleagues not yet trained (difference in differences, bars show the 95% CI), beside the
              naive before/after change. Negative is less rework. As of {asOf}
              {first ? `, windows of ${first.windowDays} days` : ''}.
            </>
          }
          testId="chart-course-effect"
        >
          <ResponsiveContainer width="100%" height={300}>
            <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="title" tick={{ fontSize: 12 }} interval={0} />
              <YAxis unit=" pts" tick={{ fontSize: 12 }} width={64} />
              <Tooltip />
              <Legend />
              <ReferenceLine y={0} stroke={COLORS.muted} />
              <Bar dataKey="att" name="Effect vs. untrained colleagues (ATT, 95% CI)" fill={COLORS.att} isAnimationActive={false}>
                <ErrorBar dataKey="attError" width={8} strokeWidth={2} stroke="#111827" direction="y" isAnimationActive={false} />
              </Bar>
              <Bar dataKey="naive" name="Naive before/after" fill={COLORS.naive} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </Card>
      </div>
      <div className="courses">
        {impacts.data.map((impact) => (
          <CourseCard key={impact.courseId} impact={impact} course={props.courses.find((course) => course.courseId === impact.courseId)} />
        ))}
      </div>
    </>
  );
}

const VERDICT_LABELS = {
  effective: 'Paid off',
  harmful: 'More rework',
  'no-effect': 'No measurable effect',
  unreliable: 'Unreliable (pre-trend)',
  'too-early': 'Too early',
  withheld: 'Withheld (privacy)',
} as const;

function CourseCard(props: { impact: CourseImpact; course?: Course }) {
  const { impact, course } = props;
  const sentence = courseSentence(impact);
  const { value, trainees } = impact;
  return (
    <article className={`course verdict-${sentence.verdict}`} data-testid="course-card" data-course={impact.courseId} data-verdict={sentence.verdict}>
      <header>
        <h3>{impact.title}</h3>
        <span className={`badge ${sentence.verdict}`}>{VERDICT_LABELS[sentence.verdict]}</span>
      </header>
      <p className="sentence" data-testid="course-sentence">
        {sentence.segments.map((segment, index) => (segment.emphasis ? <em key={index}>{segment.text}</em> : <span key={index}>{segment.text}</span>))}
      </p>
      {impact.requestedAsOf !== undefined && impact.asOf !== impact.requestedAsOf && (
        <p className="note" data-testid="published-as-of">
          {impact.estimateShown ? `Estimate published as of ${impact.asOf.slice(0, 10)}` : `As of ${impact.asOf.slice(0, 10)}`}: for privacy, a new estimate is shown only once enough more
          trainees have been measured.
        </p>
      )}
      {impact.placebo?.flagged && (
        <p className="warning" role="note" data-testid="placebo-warning">
          ⚠ Placebo check flagged: in the {impact.windowDays} days before training the trainees already differed from their colleagues by {formatSignedPoints(impact.placebo.att)}.
        </p>
      )}
      <dl className={`facts${impact.significant ? '' : ' uncertain'}`} title={impact.significant ? undefined : 'The effect is not significant: hours, ROI and payback are as uncertain as it is.'}>
        <div>
          <dt>Effect (ATT)</dt>
          <dd data-field="att" data-value={impact.att ?? ''}>
            {formatSignedPoints(impact.att)}
          </dd>
        </div>
        <div>
          <dt>95% CI</dt>
          <dd data-field="ci95">{formatPointsInterval(impact.ci95)}</dd>
        </div>
        <div>
          <dt>Naive before/after</dt>
          <dd data-field="naive">{formatSignedPoints(impact.naive)}</dd>
        </div>
        <div>
          <dt>Significant</dt>
          <dd data-field="significant">{impact.att === null ? NO_VALUE : impact.significant ? 'yes' : 'no'}</dd>
        </div>
        <div>
          <dt>Hours saved / {impact.horizonDays} d</dt>
          <dd data-field="hoursSaved">{formatHours(value.hoursSaved)}</dd>
        </div>
        <div>
          <dt>ROI</dt>
          <dd data-field="roi" data-value={value.roi ?? ''}>
            {formatRoi(value.roi)}
            {value.roiRange ? <small> ({formatRoiRange(value.roiRange)})</small> : null}
          </dd>
        </div>
        <div>
          <dt>Payback</dt>
          <dd data-field="paybackDays">{formatDays(value.paybackDays)}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd data-field="cost">{formatMoney(value.cost, course?.currency ?? impact.currency)}</dd>
        </div>
      </dl>
      <p className="counts" data-testid="course-counts">
        {formatCount(course?.trainees ?? null)} trained · <b data-field="eligible">{trainees.eligible}</b> measured · {trainees.pending} too recent · {trainees.insufficient} too
        few outputs · {trainees.dropped} without comparable colleagues
      </p>
    </article>
  );
}
