import { needsComplementarySuppression, suppressSmallGroups } from './privacy';

const row = (group: string, employeeIds: string[]) => ({ group, employees: employeeIds.length, employeeIds: employeeIds.length < 5 ? employeeIds : undefined });
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('suppressSmallGroups (k = 5)', () => {
  it('given every row covers k or more employees, then nothing is suppressed', () => {
    const rows = [row('a', ids('a', 5)), row('b', ids('b', 9))];
    expect(suppressSmallGroups(rows, 5)).toEqual({ visible: rows, suppressed: [], remainderTooSmall: false });
  });

  it('given small rows that together cover k employees, then only they are suppressed', () => {
    const rows = [row('a', ids('a', 3)), row('b', ids('b', 2)), row('c', ids('c', 8))];
    const result = suppressSmallGroups(rows, 5);
    expect(result.visible.map((r) => r.group)).toEqual(['c']);
    expect(result.suppressed.map((r) => r.group)).toEqual(['a', 'b']);
    expect(result.remainderTooSmall).toBe(false);
  });

  it('given small rows covering fewer than k distinct employees, then the next-smallest row is suppressed too', () => {
    // The same two people in two rows: 2 distinct employees, not 4.
    const rows = [row('a', ['x', 'y']), row('b', ['x', 'y']), row('c', ids('c', 12)), row('d', ids('d', 6))];
    const result = suppressSmallGroups(rows, 5);
    expect(result.suppressed.map((r) => r.group)).toEqual(['a', 'b', 'd']);
    expect(result.visible.map((r) => r.group)).toEqual(['c']);
    expect(result.remainderTooSmall).toBe(false);
  });

  it('given a single small row and nothing to hide it with, then the remainder is too small to show', () => {
    expect(suppressSmallGroups([row('a', ['x', 'y'])], 5)).toEqual({ visible: [], suppressed: [row('a', ['x', 'y'])], remainderTooSmall: true });
  });

  it('tells when the rule needs the next-smallest row: only when small rows exist and together cover fewer than k', () => {
    expect(needsComplementarySuppression([row('a', ids('a', 5))], 5)).toBe(false);
    expect(needsComplementarySuppression([row('a', ids('a', 3)), row('b', ids('b', 2)), row('c', ids('c', 8))], 5)).toBe(false);
    expect(needsComplementarySuppression([row('a', ['x', 'y']), row('b', ['x', 'y']), row('c', ids('c', 12))], 5)).toBe(true);
  });
});
