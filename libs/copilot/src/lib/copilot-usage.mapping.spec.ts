import { copilotSource, copilotUsageKey, parseUsageLine, parseUsageRow, usageEventOf } from './copilot-usage.mapping';

const scope = { kind: 'org', name: 'acme' } as const;
const row = {
  day: '2026-03-02',
  user_id: 101,
  user_login: 'Alice-Dev',
  user_initiated_interaction_count: 12,
  code_generation_activity_count: 40,
  code_acceptance_activity_count: 25,
  loc_suggested_to_add_sum: 180,
  loc_added_sum: 95,
  loc_deleted_sum: 3,
  ai_credits_used: 3.5,
  totals_by_ide: [{ ide: 'vscode', code_generation_activity_count: 40 }],
};

describe('Copilot user-day rows → ai.usage.recorded', () => {
  it('given a documented row, then each mapped field becomes its figure, the normalised login is the employee id (resolved by the read models) and the key is org + user + day', () => {
    const result = parseUsageRow(row);
    expect(result).toEqual({ ok: true, userDay: { login: 'alice-dev', day: '2026-03-02', figures: { requests: 12, suggestions: 40, acceptances: 25, linesSuggested: 180, linesAccepted: 95, credits: 3.5 } } });
    if (!result.ok) throw new Error('mapped');
    const event = usageEventOf(result.userDay, { scope, importDay: '2026-03-05' });
    expect(event).toMatchObject({
      type: 'ai.usage.recorded',
      source: 'github-copilot:orgs/acme',
      time: '2026-03-02T00:00:00Z',
      data: { employeeId: 'alice-dev', tool: 'github-copilot', day: '2026-03-02', usageKey: 'github-copilot/orgs/acme/alice-dev/2026-03-02', requests: 12, credits: 3.5 },
    });
    expect(Object.keys(event.data)).not.toContain('loc_deleted_sum');
  });

  it('given added fields and missing ones, then unknown fields are ignored and only the present figures are kept', () => {
    const { loc_added_sum: _a, loc_suggested_to_add_sum: _s, ai_credits_used: _c, ...partial } = row;
    const result = parseUsageRow({ ...partial, totals_by_agent_session: [{ agent: 'x' }], used_cli: true });
    expect(result).toEqual({ ok: true, userDay: { login: 'alice-dev', day: '2026-03-02', figures: { requests: 12, suggestions: 40, acceptances: 25 } } });
  });

  it('given unusable values, then they are left out: negatives, fractions of counts, text; numeric strings are read', () => {
    const result = parseUsageRow({ user_login: 'bob', day: '2026-03-02', user_initiated_interaction_count: -1, code_generation_activity_count: 2.5, code_acceptance_activity_count: 'many', loc_added_sum: '7' });
    expect(result).toEqual({ ok: true, userDay: { login: 'bob', day: '2026-03-02', figures: { linesAccepted: 7 } } });
  });

  it.each([
    ['not JSON', '{"user_login":', 'not-json'],
    ['an array', '[1]', 'not-an-object'],
    ['no login', '{"day":"2026-03-02","loc_added_sum":1}', 'no-user-login'],
    ['no day', '{"user_login":"bob","loc_added_sum":1}', 'no-day'],
    ['a bad day', '{"user_login":"bob","day":"2026-13-40","loc_added_sum":1}', 'no-day'],
    ['no figure', '{"user_login":"bob","day":"2026-03-02","used_chat":false}', 'no-usage-figures'],
  ])('given %s, then the row is skipped with its reason', (_name, line, reason) => {
    expect(parseUsageLine(line)).toEqual({ ok: false, reason });
  });

  it('given a row without its day, then the report day is its day', () => {
    expect(parseUsageLine('{"user_login":"bob","loc_added_sum":1}', '2026-03-04')).toMatchObject({ ok: true, userDay: { day: '2026-03-04' } });
  });

  it('given the same row imported twice the same day, then the ids are equal; another import day or a revision, then they differ', () => {
    const userDay = { login: 'bob', day: '2026-03-02', figures: { suggestions: 4 } };
    const id = (figures: Record<string, number>, importDay: string) => usageEventOf({ ...userDay, figures }, { scope, importDay }).id;
    expect(id({ suggestions: 4 }, '2026-03-05')).toBe(id({ suggestions: 4 }, '2026-03-05'));
    expect(id({ suggestions: 5 }, '2026-03-05')).not.toBe(id({ suggestions: 4 }, '2026-03-05'));
    // Back to the first value on a later day: a new fact, which replaces the revision under the same usageKey.
    expect(id({ suggestions: 4 }, '2026-03-06')).not.toBe(id({ suggestions: 4 }, '2026-03-05'));
  });

  it('given an enterprise, then the key and the source name the enterprise', () => {
    expect(copilotUsageKey({ kind: 'enterprise', name: 'globex' }, 'Bob ', '2026-03-02')).toBe('github-copilot/enterprises/globex/bob/2026-03-02');
  });

  it('given the organisation typed in another case, then the same key and source (GitHub slugs ignore case): a re-run replaces', () => {
    expect(copilotUsageKey({ kind: 'org', name: 'Acme-Inc' }, 'bob', '2026-03-02')).toBe(copilotUsageKey({ kind: 'org', name: 'acme-inc' }, 'bob', '2026-03-02'));
    expect(copilotSource({ kind: 'org', name: 'ACME-inc' })).toBe('github-copilot:orgs/acme-inc');
  });
});
