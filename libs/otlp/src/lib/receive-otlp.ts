// Framework-free: an OTLP export request, mapped and stored for one tenant (what HTTP and gRPC share).
import type { EventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion/core';
import { mapLogs } from './map-logs';
import { mapMetrics } from './map-metrics';
import { mapTraces } from './map-traces';
import { DEFAULT_OTLP_MAPPING_OPTIONS, type IgnoreReason, type OtlpMapping, type OtlpMappingOptions, REFUSAL_MESSAGES } from './otlp-mapping';
import type { OtlpSignal, PartialSuccess } from './otlp-proto';

export const OTLP_MAPPERS: Readonly<Record<OtlpSignal, (request: never, options: OtlpMappingOptions) => OtlpMapping>> = {
  logs: mapLogs,
  traces: mapTraces,
  metrics: mapMetrics,
};

/** One line of what an export gave: records ignored or rejected for a reason (a refusal, or a contract error code). */
export type OtlpTally = Readonly<{ outcome: 'ignored' | 'rejected'; reason: string; count: number }>;

export type OtlpReceipt = Readonly<{
  /** Records read (spans, log records, data points). */
  records: number;
  /** Events newly stored, and those already stored (an exporter's retry). */
  stored: number;
  duplicates: number;
  /** Present when records were rejected: their count and why, for the sender. */
  partialSuccess?: PartialSuccess;
  tally: readonly OtlpTally[];
}>;

const RECORD_NOUN: Readonly<Record<OtlpSignal, string>> = { logs: 'log records', traces: 'spans', metrics: 'data points' };

/**
 * Maps an export request's records onto contract events and stores them for the tenant, in one transaction. Records
 * that cannot be mapped, or whose events the contract refuses, are rejected (with the reasons, for `partialSuccess`);
 * records that are not for Rework Ledger are ignored; both are tallied by reason.
 */
export async function receiveOtlp(
  store: EventStore,
  tenant: string,
  signal: OtlpSignal,
  request: Record<string, unknown>,
  options: OtlpMappingOptions = DEFAULT_OTLP_MAPPING_OPTIONS,
): Promise<OtlpReceipt> {
  const mapping = OTLP_MAPPERS[signal](request as never, options);
  const result = mapping.events.length > 0 ? await ingestEvents(store, tenant, mapping.events.map(({ event }) => event)) : { accepted: 0, duplicates: 0, rejected: [] };
  // A record is rejected once, for its first reason, even when both of its events are refused.
  const rejectedRecords = new Map<number, { reason: string; message: string }>();
  for (const { record, reason } of mapping.refused) rejectedRecords.set(record, { reason, message: REFUSAL_MESSAGES[reason] });
  for (const rejection of result.rejected) {
    const { record, event } = mapping.events[rejection.index];
    const error = rejection.errors[0];
    if (!rejectedRecords.has(record)) {
      rejectedRecords.set(record, { reason: error?.code ?? 'EVENT.INVALID', message: `${event.type}: ${error?.message ?? 'refused by the contract'}${error?.field ? ` (${error.field})` : ''}` });
    }
  }
  const rejectedByReason = new Map<string, { message: string; count: number }>();
  for (const { reason, message } of rejectedRecords.values()) {
    const entry = rejectedByReason.get(reason) ?? { message, count: 0 };
    entry.count++;
    rejectedByReason.set(reason, entry);
  }
  const tally: OtlpTally[] = [
    ...Object.entries(mapping.ignored).map(([reason, count]) => ({ outcome: 'ignored' as const, reason: reason as IgnoreReason, count: count ?? 0 })),
    ...[...rejectedByReason].map(([reason, { count }]) => ({ outcome: 'rejected' as const, reason, count })),
  ];
  const partialSuccess =
    rejectedRecords.size === 0
      ? undefined
      : {
          rejected: rejectedRecords.size,
          message: [...rejectedByReason].map(([reason, { message, count }]) => `${count} ${RECORD_NOUN[signal]} rejected: ${reason}: ${message}`).join('; '),
        };
  return { records: mapping.records, stored: result.accepted, duplicates: result.duplicates, ...(partialSuccess ? { partialSuccess } : {}), tally };
}
