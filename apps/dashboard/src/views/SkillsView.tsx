import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, COLORS, Empty, Failed, Loading } from '../components/common';
import type { ApiError } from '../lib/api-client';
import type { SkillsGap, SkillsGapsAnswer } from '../lib/api-types';
import { formatCount, formatHours, formatPoints, formatRate, taskTypeLabel } from '../lib/format';
import { hotspotBars } from '../lib/hotspots';
import { useApi } from '../lib/use-api';

/** Where teams rework more than the organisation, and the measured courses their people have not taken. */
export function SkillsView(props: { apiKey: string; onBadKey: (error: ApiError) => void }) {
  const gaps = useApi<[SkillsGapsAnswer]>(['/v1/skills/gaps'], props.apiKey, props.onBadKey);
  return (
    <div className="view" data-testid="skills-view">
      {gaps.state === 'loading' && <Loading what="skills gaps" />}
      {gaps.state === 'failed' && <Failed error={gaps.error} retry={gaps.retry} />}
      {gaps.state === 'ready' && <SkillsContent answer={gaps.data[0]} />}
    </div>
  );
}

function SkillsContent({ answer }: { answer: SkillsGapsAnswer }) {
  if (answer.tenantReworkRate === null) return <Empty>No AI outputs in the last 90 days: no skills gaps to show.</Empty>;
  const byTeam = new Map<string, SkillsGap[]>();
  for (const gap of answer.gaps) byTeam.set(gap.team, [...(byTeam.get(gap.team) ?? []), gap]);
  const hotspots = hotspotBars(answer.gaps);
  return (
    <>
      <p className="headline" data-testid="skills-headline">
        Across the organisation {formatRate(answer.tenantReworkRate)} of AI outputs need rework. {answer.gaps.length === 0 ? 'No team and task type stands out above that.' : `${answer.gaps.length} team × task type hotspot${answer.gaps.length === 1 ? '' : 's'} rework more than that.`}
      </p>
      {answer.suppressed && (
        <p className="note" data-testid="skills-suppressed">
          {answer.suppressed.cells} team × task type cell{answer.suppressed.cells === 1 ? '' : 's'} with fewer people than the privacy threshold{' '}
          {answer.suppressed.cells === 1 ? 'is' : 'are'} not shown
          {answer.suppressed.outputs === null ? '.' : ` (${formatCount(answer.suppressed.outputs)} outputs).`}
        </p>
      )}
      {hotspots.length > 0 && (
        <div className="grid">
          <Card wide title="Rework hotspots" subtitle="Points of rework rate above the organisation's, by team and task type (largest first)" testId="chart-hotspots">
            <ResponsiveContainer width="100%" height={Math.max(160, 30 * hotspots.length + 40)}>
              <BarChart data={hotspots} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                <XAxis type="number" unit=" pts" tick={{ fontSize: 12 }} />
                <YAxis type="category" dataKey="label" width={190} tick={{ fontSize: 12 }} />
                <Tooltip formatter={(value) => (typeof value === 'number' ? value.toFixed(1) : String(value))} />
                {/* At least 2 px: a hotspot is drawn however little it is above the organisation. */}
                <Bar dataKey="excess" name="Above the organisation (pts)" fill={COLORS.lost} minPointSize={2} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </Card>
        </div>
      )}
      <div className="teams">
        {[...byTeam.entries()].map(([team, gaps]) => (
          <Card
            key={team}
            title={`Team ${team}`}
            testId="team-gaps"
            actions={
              <a className="small-link" href={`#/operations?days=90&groupBy=taskType&team=${encodeURIComponent(team)}`}>
                Where it loses time →
              </a>
            }
          >
            <ul className="gaps">
              {gaps.map((gap) => (
                <li key={gap.taskType} data-testid="gap" data-team={gap.team} data-task-type={gap.taskType}>
                  <div>
                    <b>{taskTypeLabel(gap.taskType)}</b>: {formatRate(gap.reworkRate)} rework ({formatPoints(gap.excessReworkRate)} points above the organisation),{' '}
                    {formatHours(gap.lostHours)} lost over {formatCount(gap.outputs)} outputs.
                  </div>
                  {gap.recommendations.length > 0 ? (
                    <ul className="recommendations">
                      {gap.recommendations.map((recommendation) => (
                        <li key={recommendation.courseId} data-testid="recommendation">
                          Recommended: <em>{recommendation.title}</em> for {recommendation.untrainedMembers} untrained member{recommendation.untrainedMembers === 1 ? '' : 's'} — it cut
                          rework by {formatPoints(recommendation.att)} points elsewhere; about {formatHours(recommendation.projectedHoursSaved, ' hours')} of this period's rework would
                          have been spared.
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p className="muted">No course with a measured effect applies yet.</p>
                  )}
                </li>
              ))}
            </ul>
          </Card>
        ))}
      </div>
    </>
  );
}
