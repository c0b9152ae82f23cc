import { validateEvent } from '@rework-ledger/contracts';
import { metricsRequest } from './otlp-fixtures.test-support';
import { mapMetrics } from './map-metrics';

const CLAUDE_CODE = { 'service.name': 'claude-code', 'team.id': 'payments' };
const who = { 'user.account_uuid': 'acc-42', 'user.email': 'dev@acme.test', 'session.id': 's-1', 'organization.id': 'org-1' };

describe('mapMetrics (cost and token metrics → ai.usage.recorded)', () => {
  it('given Claude Code cost and token counters (cumulative), then one ai.usage.recorded per data point with its series', () => {
    const request = metricsRequest(CLAUDE_CODE, [
      { name: 'claude_code.cost.usage', unit: 'USD', points: [{ attributes: { ...who, model: 'claude-sonnet-4-5' }, value: 0.4213, time: '2026-03-02T10:01:00Z' }] },
      {
        name: 'claude_code.token.usage',
        unit: 'tokens',
        points: [
          { attributes: { ...who, model: 'claude-sonnet-4-5', type: 'input' }, value: 1200, time: '2026-03-02T10:01:00Z' },
          { attributes: { ...who, model: 'claude-sonnet-4-5', type: 'output' }, value: 800, time: '2026-03-02T10:01:00Z' },
          { attributes: { ...who, model: 'claude-sonnet-4-5', type: 'cacheRead' }, value: 5000, time: '2026-03-02T10:01:00Z' },
        ],
      },
    ]);
    const mapping = mapMetrics(request);
    expect(mapping.records).toBe(4);
    expect(mapping.ignored).toEqual({ 'metric.token-type-not-mapped': 1 });
    const [cost, input, output] = mapping.events.map((e) => e.event);
    expect(cost).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source: 'otlp:claude-code',
      type: 'ai.usage.recorded',
      time: '2026-03-02T10:01:00.000Z',
      data: {
        employeeId: 'dev@acme.test',
        teamId: 'payments',
        tool: 'claude-code',
        model: 'claude-sonnet-4-5',
        day: '2026-03-02',
        usageKey: expect.stringMatching(/^claude_code\.cost\.usage:[0-9a-f-]{36}@\d+$/),
        cost: 0.4213,
        currency: 'USD',
        series: expect.stringMatching(/^claude_code\.cost\.usage:[0-9a-f-]{36}$/),
        seriesStart: '2026-03-02T09:00:00.000Z',
        cumulative: true,
      },
    });
    expect(input.data).toMatchObject({ inputTokens: 1200, model: 'claude-sonnet-4-5', cumulative: true });
    expect(output.data).toMatchObject({ outputTokens: 800 });
    expect(new Set([cost, input, output].map((e) => (e.data as { series: string }).series)).size).toBe(3);
  });

  it('given a cumulative counter read twice, then two points of one series, with two ids; the same export again gives the same ids', () => {
    const point = (value: number, time: string) => ({ attributes: who, value, time });
    const export1 = metricsRequest(CLAUDE_CODE, [{ name: 'claude_code.cost.usage', points: [point(0.5, '2026-03-02T10:01:00Z')] }]);
    const export2 = metricsRequest(CLAUDE_CODE, [{ name: 'claude_code.cost.usage', points: [point(0.75, '2026-03-02T10:02:00Z')] }]);
    const [first, second, retry] = [mapMetrics(export1), mapMetrics(export2), mapMetrics(export1)].map((m) => m.events[0].event);
    expect((second.data as { series: string }).series).toBe((first.data as { series: string }).series);
    expect(second.id).not.toBe(first.id);
    expect(retry).toEqual(first);
  });

  it('given delta temporality, then cumulative false; given a GenAI token histogram, then its sum by gen_ai.token.type', () => {
    const request = metricsRequest({ 'service.name': 'acme-assistant', 'enduser.id': 'erin' }, [
      { name: 'claude_code.cost.usage', temporality: 1, points: [{ attributes: {}, value: 0.25, time: '2026-03-02T23:59:59Z' }] },
      {
        name: 'gen_ai.client.token.usage',
        kind: 'histogram',
        temporality: 2,
        points: [
          { attributes: { 'gen_ai.token.type': 'input', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.operation.name': 'chat' }, value: 345, time: '2026-03-03T00:00:10Z' },
          { attributes: { 'gen_ai.token.type': 'output', 'gen_ai.response.model': 'gpt-4o-mini' }, value: 99, time: '2026-03-03T00:00:10Z' },
        ],
      },
    ]);
    expect(mapMetrics(request).events.map((e) => e.event.data)).toEqual([
      expect.objectContaining({ employeeId: 'erin', tool: 'acme-assistant', day: '2026-03-02', cost: 0.25, currency: 'USD', cumulative: false }),
      expect.objectContaining({ employeeId: 'erin', day: '2026-03-03', model: 'gpt-4o', inputTokens: 345, cumulative: true }),
      expect.objectContaining({ employeeId: 'erin', model: 'gpt-4o-mini', outputTokens: 99, cumulative: true }),
    ]);
  });

  it('ignores other metrics point by point, refuses points without a person', () => {
    const request = metricsRequest({ 'service.name': 'claude-code' }, [
      { name: 'claude_code.session.count', points: [{ attributes: who, value: 1, time: '2026-03-02T10:00:00Z' }] },
      { name: 'http.server.duration', kind: 'histogram', points: [{ attributes: {}, value: 3, time: '2026-03-02T10:00:00Z' }, { attributes: {}, value: 4, time: '2026-03-02T10:00:00Z' }] },
      { name: 'claude_code.cost.usage', kind: 'gauge', points: [{ attributes: who, value: 1, time: '2026-03-02T10:00:00Z' }] },
      { name: 'claude_code.cost.usage', points: [{ attributes: { model: 'x' }, value: 1, time: '2026-03-02T10:00:00Z' }] },
    ]);
    const mapping = mapMetrics(request);
    expect(mapping).toMatchObject({ records: 5, events: [], refused: [{ record: 4, reason: 'no-person' }] });
    expect(mapping.ignored).toEqual({ 'metric.not-mapped': 3, 'metric.unsupported-type': 1 });
  });

  it('produces ai.usage.recorded events the contract takes', () => {
    const request = metricsRequest(CLAUDE_CODE, [{ name: 'claude_code.cost.usage', points: [{ attributes: who, value: 1.5, time: '2026-03-02T10:00:00Z' }] }]);
    const [{ event }] = mapMetrics(request).events;
    expect(validateEvent(event, { fromCredentials: 'acme' })).toMatchObject({ ok: true, event: { type: 'ai.usage.recorded' } });
  });
});
