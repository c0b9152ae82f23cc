import type { SkillsGap } from './api-types';
import { taskTypeLabel } from './format';

/** The hotspots chart draws at most this many bars. */
export const MAX_HOTSPOTS = 12;

/**
 * The bars of the rework hotspots chart: the gaps with the largest excess rework rate first, in points. The value is
 * not rounded: a gap 0.04 points above the organisation rounded to 0.0 drew a bar of width 0, which recharts leaves
 * out of the chart (a bar fewer than gaps, depending on the day's data); the tooltip rounds it instead.
 */
export function hotspotBars(gaps: readonly SkillsGap[]): { label: string; excess: number }[] {
  return [...gaps]
    .sort((a, b) => b.excessReworkRate - a.excessReworkRate)
    .slice(0, MAX_HOTSPOTS)
    .map((gap) => ({ label: `${gap.team} · ${taskTypeLabel(gap.taskType)}`, excess: gap.excessReworkRate * 100 }));
}
