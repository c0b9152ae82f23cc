import type { ErrorShape } from '@rework-ledger/domain';
import type { IHeaders, Message } from 'kafkajs';

/**
 * The headers the ingestor adds to a dead-lettered record, beside the record's own key, value and headers. Every
 * name is built here. `dlq_errors` holds every reason as a JSON array of `{code, message, field?}`; the other
 * `dlq_error_*` headers repeat the first one for tools that read a single header.
 */
export const DEAD_LETTER_HEADERS = {
  errorCode: 'dlq_error_code',
  errorMessage: 'dlq_error_message',
  errorField: 'dlq_error_field',
  errors: 'dlq_errors',
  sourceTopic: 'dlq_source_topic',
  sourcePartition: 'dlq_source_partition',
  sourceOffset: 'dlq_source_offset',
  sourceTimestamp: 'dlq_source_timestamp',
  deadLetteredAt: 'dlq_dead_lettered_at',
  /** `true` when the original value could not be kept (too large for the dead-letter topic). */
  valueDropped: 'dlq_value_dropped',
} as const;

const OWN_HEADERS = new Set<string>(Object.values(DEAD_LETTER_HEADERS));
const MAX_ERRORS_HEADER_BYTES = 8 * 1024;

/** A record the ingestor refused, with where it came from and why. */
export type DeadLetter = Readonly<{
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  errors: readonly ErrorShape[];
  source: Readonly<{ topic: string; partition: number; offset: string; timestamp: string }>;
}>;

/** The dead-letter record: the original key, value and headers, plus the reason and the source position. */
export function toDeadLetterMessage(deadLetter: DeadLetter, at: Date, options: { dropValue?: boolean } = {}): Message {
  const [first] = deadLetter.errors;
  const headers: IHeaders = {};
  // A record replayed from the dead-letter topic that fails again gets fresh dead-letter headers.
  for (const [name, value] of Object.entries(deadLetter.headers ?? {})) if (!OWN_HEADERS.has(name) && value !== undefined) headers[name] = value;
  headers[DEAD_LETTER_HEADERS.errorCode] = first?.code ?? 'UNKNOWN';
  headers[DEAD_LETTER_HEADERS.errorMessage] = (first?.message ?? '').slice(0, 1000);
  if (first?.field !== undefined) headers[DEAD_LETTER_HEADERS.errorField] = first.field;
  headers[DEAD_LETTER_HEADERS.errors] = errorsHeader(deadLetter.errors);
  headers[DEAD_LETTER_HEADERS.sourceTopic] = deadLetter.source.topic;
  headers[DEAD_LETTER_HEADERS.sourcePartition] = String(deadLetter.source.partition);
  headers[DEAD_LETTER_HEADERS.sourceOffset] = deadLetter.source.offset;
  headers[DEAD_LETTER_HEADERS.sourceTimestamp] = deadLetter.source.timestamp;
  headers[DEAD_LETTER_HEADERS.deadLetteredAt] = at.toISOString();
  if (options.dropValue) headers[DEAD_LETTER_HEADERS.valueDropped] = 'true';
  return { key: deadLetter.key, value: options.dropValue ? null : deadLetter.value, headers };
}

function errorsHeader(errors: readonly ErrorShape[]): string {
  const kept: ErrorShape[] = [];
  for (const error of errors) {
    if (JSON.stringify([...kept, error]).length > MAX_ERRORS_HEADER_BYTES) break;
    kept.push(error);
  }
  return JSON.stringify(kept);
}
