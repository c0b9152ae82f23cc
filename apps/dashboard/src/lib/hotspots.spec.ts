import type { SkillsGap } from './api-types';
import { hotspotBars } from './hotspots';

const gap = (team: string, excessReworkRate: number): SkillsGap =>
  ({ team, taskType: 'coding', outputs: 100, reworkedOutputs: 20, reworkRate: 0.2 + excessReworkRate, tenantReworkRate: 0.2, excessReworkRate, lostHours: 3, recommendations: [] }) as SkillsGap;

describe('hotspotBars', () => {
  it('given a gap barely above the organisation (0.04 points), then its bar still has a length: one bar per gap', () => {
    const bars = hotspotBars([gap('a', 0.05), gap('b', 0.0004)]);
    expect(bars).toHaveLength(2);
    expect(bars.every((bar) => bar.excess > 0)).toBe(true);
    expect(bars[1].excess).toBeCloseTo(0.04, 10);
  });

  it('orders by excess, largest first, and keeps at most 12', () => {
    const bars = hotspotBars(Array.from({ length: 15 }, (_, i) => gap(`t${i}`, (i + 1) / 100)));
    expect(bars).toHaveLength(12);
    expect(bars[0].label).toBe('t14 · coding');
  });
});
