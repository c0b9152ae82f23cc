import fc from 'fast-check';
import { auditProtection, type CellCoordinates, cellKey, CROSSED_DIMENSIONS, protectTables, type TableCell, tableRelations } from './privacy-tables';

/** One person's outputs on one team, tool, task type and model (the microdata the tables are aggregated from). */
type Record_ = { employee: string; team: string; tool: string; taskType: string; model: string; outputs: number };

/** The linked tables of a period, aggregated from records as the read side does: every cell with its employees, its outputs. */
function tablesOf(records: readonly Record_[], k = 5): (TableCell & { value: number })[] {
  const cells = new Map<string, { coordinates: CellCoordinates; employees: Set<string>; value: number }>();
  const add = (coordinates: CellCoordinates, record: Record_) => {
    const key = cellKey(coordinates);
    const cell = cells.get(key) ?? { coordinates, employees: new Set<string>(), value: 0 };
    cell.employees.add(record.employee);
    cell.value += record.outputs;
    cells.set(key, cell);
  };
  for (const record of records) {
    add({}, record);
    add({ team: record.team }, record);
    for (const dimension of CROSSED_DIMENSIONS) {
      add({ [dimension]: record[dimension] }, record);
      add({ team: record.team, [dimension]: record[dimension] }, record);
    }
  }
  return [...cells.values()].map(({ coordinates, employees, value }) => ({
    coordinates,
    employees: employees.size,
    ...(employees.size < k ? { employeeIds: [...employees].sort() } : {}),
    contribution: value,
    value,
  }));
}

/** `n` people of a team, all on one tool, task type and model, 10 outputs each. */
const people = (team: string, n: number, over: Partial<Record_> = {}): Record_[] =>
  Array.from({ length: n }, (_, i) => ({ employee: `${team}-${i}`, team, tool: 'copilot', taskType: 'code', model: 'gpt', outputs: 10, ...over }));

const valueOf = (cells: readonly (TableCell & { value: number })[], coordinates: CellCoordinates) =>
  cells.find((cell) => cellKey(cell.coordinates) === cellKey(coordinates))?.value ?? 0;

/** Every sum an attacker can form from published cells alone: each relation with its unknowns fixed to the published values. */
function exactlyRecoverable(cells: readonly (TableCell & { value: number })[], published: ReadonlySet<string>): Set<string> {
  // A relation with exactly one unknown gives it; iterate (what a careful attacker does first).
  const known = new Set(published);
  const relations = tableRelations(cells);
  for (let changed = true; changed; ) {
    changed = false;
    for (const relation of relations) {
      const unknown = [relation.total, ...relation.parts].filter((key) => !known.has(key));
      if (unknown.length !== 1) continue;
      known.add(unknown[0]);
      changed = true;
    }
  }
  return new Set([...known].filter((key) => !published.has(key)));
}

describe('protectTables and auditProtection (k = 5)', () => {
  it('given every cell covers k or more employees, then everything is published', () => {
    const cells = tablesOf([...people('a', 6), ...people('b', 7)]);
    const protection = protectTables(cells, 5);
    expect(protection.suppressed.size).toBe(0);
    expect(protection.published.size).toBe(cells.length);
  });

  it('given three big teams and a 2-person team, when the total and the big teams are published, then the total minus the big teams does not give the small team', () => {
    const cells = tablesOf([...people('a', 10), ...people('b', 12), ...people('c', 15), ...people('d', 2)]);
    const protection = protectTables(cells, 5);
    expect(protection.primary).toContain(cellKey({ team: 'd' }));
    // Another team (the smallest big one) is withheld with it: total − published teams is the sum of two teams.
    expect(protection.suppressed).toContain(cellKey({ team: 'a' }));
    expect(exactlyRecoverable(cells, protection.published).size).toBe(0);
    const audit = auditProtection(cells, protection);
    expect(audit.passed).toBe(true);
    const d = audit.cells.find((cell) => cell.key === cellKey({ team: 'd' }));
    expect(d && d.high - d.low).toBeGreaterThan(0);
  });

  it('given the small team is withheld, when the withheld sum ("suppressed") minus one big team is formed, then no withheld team is isolated: the withheld sum covers k or more people', () => {
    const cells = tablesOf([...people('a', 10), ...people('b', 12), ...people('d', 2), ...people('e', 1)]);
    const protection = protectTables(cells, 5);
    const withheldTeams = cells.filter((cell) => cell.coordinates.team !== undefined && Object.keys(cell.coordinates).length === 1 && protection.suppressed.has(cellKey(cell.coordinates)));
    // d and e (3 people) are not enough: a big team joins them, and it is not published to subtract.
    expect(withheldTeams.map((cell) => cell.coordinates.team)).toEqual(['a', 'd', 'e']);
    expect(protection.published).not.toContain(cellKey({ team: 'a' }));
    expect(auditProtection(cells, protection).passed).toBe(true);
  });

  it("given a team whose one member uses a rare tool, when the team's total and the team filtered to its common tool are asked, then the rare-tool cell cannot be had by subtraction", () => {
    const cells = tablesOf([...people('a', 9), { employee: 'a-0', team: 'a', tool: 'rare', taskType: 'code', model: 'gpt', outputs: 3 }, ...people('b', 8)]);
    const protection = protectTables(cells, 5);
    expect(protection.primary).toContain(cellKey({ team: 'a', tool: 'rare' }));
    expect(protection.primary).toContain(cellKey({ tool: 'rare' }));
    // team a's total and (a, copilot) cannot both be published: their difference is the rare-tool cell.
    const pair = [cellKey({ team: 'a' }), cellKey({ team: 'a', tool: 'copilot' })];
    expect(pair.every((key) => protection.published.has(key))).toBe(false);
    expect(exactlyRecoverable(cells, protection.published).size).toBe(0);
    expect(auditProtection(cells, protection).passed).toBe(true);
  });

  it('given adjacent periods protected each on its own, when an answer spans both, then it is the sum of each period\'s published cells and gives nothing a period withholds', () => {
    // Period 1: team d has 2 people; period 2: d has 6. A two-period answer sums published cells per period, so
    // (d over both) − (d in period 2) is never formed from a published "d over both".
    const period1 = tablesOf([...people('a', 10), ...people('b', 10), ...people('d', 2)]);
    const period2 = tablesOf([...people('a', 10), ...people('b', 10), ...people('d', 6)]);
    const p1 = protectTables(period1, 5);
    const p2 = protectTables(period2, 5);
    expect(p1.suppressed).toContain(cellKey({ team: 'd' }));
    expect(p2.published).toContain(cellKey({ team: 'd' }));
    const answerD = [period1, period2].reduce((sum, cells, i) => sum + ([p1, p2][i].published.has(cellKey({ team: 'd' })) ? valueOf(cells, { team: 'd' }) : 0), 0);
    expect(answerD).toBe(valueOf(period2, { team: 'd' }));
    expect(auditProtection(period1, p1).passed).toBe(true);
  });

  it('given overlapping groupings (by team, by tool, team × tool, team × model), when all published cells are combined, then no withheld cell is recoverable', () => {
    const records = [
      ...people('a', 7),
      ...people('a', 2, { tool: 'cursor', model: 'claude' }).map((r, i) => ({ ...r, employee: `a-x${i}` })),
      ...people('b', 6, { tool: 'cursor' }),
      ...people('c', 1, { model: 'claude', taskType: 'doc' }),
    ];
    const cells = tablesOf(records);
    const protection = protectTables(cells, 5);
    expect(protection.suppressed.size).toBeGreaterThan(0);
    expect(exactlyRecoverable(cells, protection.published).size).toBe(0);
    expect(auditProtection(cells, protection).passed).toBe(true);
  });

  it('is deterministic: the same cells in any order give the same protection', () => {
    const cells = tablesOf([...people('a', 10), ...people('b', 3), ...people('c', 3), ...people('d', 8, { tool: 'x' })]);
    const once = protectTables(cells, 5);
    const again = protectTables([...cells].reverse(), 5);
    expect([...again.suppressed].sort()).toEqual([...once.suppressed].sort());
  });

  it('property: for random tables, every withheld cell has a feasible interval wider than zero and no relation isolates one', () => {
    const record = fc.record({
      employee: fc.integer({ min: 0, max: 40 }).map((i) => `e${i}`),
      team: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      tool: fc.constantFrom('copilot', 'cursor', 'claude-code'),
      taskType: fc.constantFrom('code', 'doc', 'test', 'review'),
      model: fc.constantFrom('gpt', 'claude', 'gemini'),
      outputs: fc.integer({ min: 1, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 80 }), fc.integer({ min: 2, max: 8 }), (records, k) => {
        const cells = tablesOf(records, k);
        const protection = protectTables(cells, k);
        for (const cell of cells) {
          if (cell.employees < k) expect(protection.suppressed).toContain(cellKey(cell.coordinates));
        }
        expect(exactlyRecoverable(cells, protection.published).size).toBe(0);
        expect(auditProtection(cells, protection).passed).toBe(true);
      }),
      { numRuns: 300, seed: 14 },
    );
  });

  it('the audit catches a pattern that leaves a cell exact (a lone withheld cell in a line)', () => {
    const cells = tablesOf([...people('a', 10), ...people('b', 10), ...people('d', 2)]);
    const leaky = { published: new Set<string>(), suppressed: new Set([cellKey({ team: 'd' })]), primary: new Set([cellKey({ team: 'd' })]) };
    const audit = auditProtection(cells, leaky);
    expect(audit.passed).toBe(false);
    expect(audit.cells[0]).toMatchObject({ low: 20, high: 20 });
  });
});
