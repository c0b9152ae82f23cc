// What mapping an export request gives: contract events, the records refused (reported in partialSuccess) and the
// records ignored (not outputs, rework or usage: counted by reason).
import { DEFAULT_DISCARD_MINUTES, DEFAULT_OTLP_OUTPUT_OPERATIONS } from '@rework-ledger/tenancy';
import type { OtlpContractEvent } from './otlp-events';

/** Records that are not for Rework Ledger: accepted, ignored, counted. */
export type IgnoreReason =
  | 'span.not-an-output'
  | 'log.not-a-mapped-event'
  | 'tool_decision.not-code-editing'
  | 'tool_decision.by-policy'
  | 'tool_decision.not-by-a-person'
  | 'tool_decision.not-accept-or-reject'
  | 'metric.not-mapped'
  | 'metric.unsupported-type'
  | 'metric.token-type-not-mapped'
  | 'metric.temporality-unspecified';

/** Records that should have become events but cannot: rejected, reported in partialSuccess, counted. */
export type RefusalReason = 'no-person' | 'no-time' | 'no-output-id' | 'no-minutes-spent' | 'metric.no-value';

export const REFUSAL_MESSAGES: Readonly<Record<RefusalReason, string>> = {
  'no-person': 'no user.email, enduser.id, user.account_uuid or user.id on the record or its resource',
  'no-time': 'the record has no time',
  'no-output-id': 'a rework event needs the attribute ai.output.id',
  'no-minutes-spent': 'a rework event needs the numeric attribute rework.minutes_spent',
  'metric.no-value': 'the data point carries no value (a histogram without sum)',
};

export type OtlpMapping = Readonly<{
  /** Records read: spans, log records or metric data points. */
  records: number;
  /** The events, each with the index of the record it comes from (a record may give two). */
  events: readonly Readonly<{ record: number; event: OtlpContractEvent }>[];
  refused: readonly Readonly<{ record: number; reason: RefusalReason }>[];
  ignored: Readonly<Partial<Record<IgnoreReason, number>>>;
}>;

/** Tenant choices of the mapping (PRODUCT.md: the tenant's output operations and discard minutes). */
export type OtlpMappingOptions = Readonly<{
  /** `gen_ai.operation.name` values whose spans are outputs when `rework_ledger.output` is absent. */
  outputOperations: readonly string[];
  /** Minutes a rejected Claude Code edit costs (`ai.output.discarded`). */
  discardMinutes: number;
}>;

export const DEFAULT_OTLP_MAPPING_OPTIONS: OtlpMappingOptions = { outputOperations: DEFAULT_OTLP_OUTPUT_OPERATIONS, discardMinutes: DEFAULT_DISCARD_MINUTES };

/** Collects a mapping record by record. */
export function mappingBuilder() {
  let records = 0;
  const events: { record: number; event: OtlpContractEvent }[] = [];
  const refused: { record: number; reason: RefusalReason }[] = [];
  const ignored: Partial<Record<IgnoreReason, number>> = {};
  return {
    /** A new record; returns its index. */
    next: () => records++,
    emit: (record: number, ...produced: OtlpContractEvent[]) => produced.forEach((event) => events.push({ record, event })),
    refuse: (record: number, reason: RefusalReason) => refused.push({ record, reason }),
    ignore: (reason: IgnoreReason) => (ignored[reason] = (ignored[reason] ?? 0) + 1),
    result: (): OtlpMapping => ({ records, events, refused, ignored }),
  };
}

export type MappingBuilder = ReturnType<typeof mappingBuilder>;
