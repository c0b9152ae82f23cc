import type { UsageRecordedData } from '@rework-ledger/domain';
import type { SyntheticCloudEvent } from './synthetic-events';

/** The source of the daily usage reports derived from an organisation's outputs. */
export const USAGE_REPORT_SOURCE = 'urn:rework-ledger:demo:usage-report';

/** Illustrative prices of the demo's usage (USD per million tokens): input, output. */
const PRICE_PER_MILLION_TOKENS = { input: 3, output: 15 } as const;
/** Suggestions an output stands for: what a tool offered before the one that was kept. */
const SUGGESTIONS_PER_OUTPUT = 3;

type DayOfUsage = { employeeId: string; teamId?: string; tool: string; model?: string; day: string; outputs: number; inputTokens: number; outputTokens: number };

/**
 * The organisation's events with, after each UTC day, one `ai.usage.recorded` per employee, tool and model of that
 * day's outputs, as a tool's daily usage report would send it: requests (one per output), suggestions, acceptances (the
 * outputs), tokens and their cost in USD. Derived from the outputs only, so the other events and the ground truth are
 * those of the generator, unchanged; deterministic, with ids from the usage key.
 */
export function* withUsageReports(events: Iterable<SyntheticCloudEvent>): Generator<SyntheticCloudEvent, void, undefined> {
  let day: string | undefined;
  let usage = new Map<string, DayOfUsage>();
  for (const event of events) {
    const eventDay = event.time.slice(0, 10);
    if (day !== undefined && eventDay !== day && usage.size > 0) {
      yield* reportsOf(usage);
      usage = new Map();
    }
    day = eventDay;
    if (event.type !== 'ai.output.generated') {
      yield event;
      continue;
    }
    const { employeeId, teamId, tool, model, inputTokens, outputTokens } = event.data;
    const key = [employeeId, tool, model ?? ''].join('\u0000');
    const entry = usage.get(key) ?? { employeeId, ...(teamId ? { teamId } : {}), tool, ...(model ? { model } : {}), day: eventDay, outputs: 0, inputTokens: 0, outputTokens: 0 };
    entry.outputs += 1;
    entry.inputTokens += inputTokens ?? 0;
    entry.outputTokens += outputTokens ?? 0;
    usage.set(key, entry);
    yield event;
  }
  yield* reportsOf(usage);
}

function* reportsOf(usage: ReadonlyMap<string, DayOfUsage>): Generator<SyntheticCloudEvent<'ai.usage.recorded'>, void, undefined> {
  for (const entry of usage.values()) {
    const usageKey = `${entry.tool}/${entry.employeeId}/${entry.model ?? '-'}/${entry.day}`;
    const cost = (entry.inputTokens * PRICE_PER_MILLION_TOKENS.input + entry.outputTokens * PRICE_PER_MILLION_TOKENS.output) / 1_000_000;
    const data: UsageRecordedData = {
      employeeId: entry.employeeId,
      ...(entry.teamId ? { teamId: entry.teamId } : {}),
      tool: entry.tool,
      ...(entry.model ? { model: entry.model } : {}),
      day: entry.day,
      usageKey,
      requests: entry.outputs,
      suggestions: entry.outputs * SUGGESTIONS_PER_OUTPUT,
      acceptances: entry.outputs,
      inputTokens: entry.inputTokens,
      outputTokens: entry.outputTokens,
      // Rounded to a millionth: the contract's smallest non-zero amount.
      ...(cost > 0 ? { cost: Math.max(1e-6, Math.round(cost * 1e6) / 1e6), currency: 'USD' } : {}),
    };
    yield { specversion: '1.0', id: `usage-${usageKey}`, source: USAGE_REPORT_SOURCE, type: 'ai.usage.recorded', time: `${entry.day}T23:59:59Z`, data };
  }
}
