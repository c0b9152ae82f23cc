import { validateEvent } from '@rework-ledger/contracts';
import { generateOrganisation } from './generate-organisation';
import { preset } from './presets';
import { USAGE_REPORT_SOURCE, withUsageReports } from './usage-reports';

describe('daily usage reports derived from an organisation', () => {
  const organisation = generateOrganisation(preset('small', { employees: 8, start: new Date('2026-01-05T00:00:00Z'), end: new Date('2026-02-02T00:00:00Z') }));
  const original = organisation.allEvents();
  const events = Array.from(withUsageReports(organisation.iterateEvents()));
  const reports = events.filter((event) => event.type === 'ai.usage.recorded');

  it('keeps every event of the generator, in its order, and adds only usage reports', () => {
    expect(events.filter((event) => event.type !== 'ai.usage.recorded')).toEqual(original);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((event) => event.source === USAGE_REPORT_SOURCE)).toBe(true);
  });

  it('stays in time order: each day’s reports come after that day’s events and before the next day’s', () => {
    const times = events.map((event) => Date.parse(event.time));
    expect(times.every((time, i) => i === 0 || time >= times[i - 1])).toBe(true);
  });

  it('reports per employee, tool, model and day exactly the outputs and tokens of that day, valid for the contract, with unique ids', () => {
    const expected = new Map<string, { requests: number; inputTokens: number; outputTokens: number }>();
    for (const event of original) {
      if (event.type !== 'ai.output.generated') continue;
      const key = [event.data.employeeId, event.data.tool, event.data.model ?? '-', event.time.slice(0, 10)].join('|');
      const entry = expected.get(key) ?? { requests: 0, inputTokens: 0, outputTokens: 0 };
      entry.requests += 1;
      entry.inputTokens += event.data.inputTokens ?? 0;
      entry.outputTokens += event.data.outputTokens ?? 0;
      expected.set(key, entry);
    }
    const reported = new Map(
      reports.map((event) => {
        const data = event.data;
        return [[data.employeeId, data.tool, data.model ?? '-', data.day].join('|'), { requests: data.requests, inputTokens: data.inputTokens, outputTokens: data.outputTokens }];
      }),
    );
    expect(reported).toEqual(expected);
    expect(new Set(reports.map((event) => event.id)).size).toBe(reports.length);
    for (const report of reports) expect(validateEvent(report, { fromCredentials: 'acme' })).toMatchObject({ ok: true });
  });
});
