// What the OTLP mapping produces: contract events (CloudEvents) with ids derived from their content.
import { type OutputGeneratedData, REWORK_EVENT_TYPES, type ReworkData, type ReworkEventType, type UsageRecordedData } from '@rework-ledger/domain';
import { v5 as uuidv5 } from 'uuid';

/** The UUID v5 namespace of OTLP-derived ids. Fixed forever: changing it would change every derived id. */
export const OTLP_ID_NAMESPACE = '30dcef45-ac49-42e6-81c0-b8e12593bcc8';

/** A stable id of some content: the same content (an exporter's retry) gives the same id. */
export const derivedId = (content: unknown): string => uuidv5(JSON.stringify(content), OTLP_ID_NAMESPACE);

/** The rework event types, the contract's (`REWORK_EVENT_TYPES`): a log record with one of these names is that rework. */
export type ReworkKind = ReworkEventType;
export const REWORK_KINDS = Object.keys(REWORK_EVENT_TYPES) as readonly ReworkKind[];

// The data of each event is the domain's one definition of its shape (libs/domain events.ts).
type EventOf<Type extends string, Data> = Readonly<{ specversion: '1.0'; id: string; source: string; type: Type; time: string; data: Data }>;

export type OtlpContractEvent =
  | EventOf<'ai.output.generated', OutputGeneratedData>
  | EventOf<ReworkKind, ReworkData>
  | EventOf<'ai.usage.recorded', UsageRecordedData>;

/** The source of a tool's events: `otlp:<service.name>`. */
export const otlpSource = (tool: string) => `otlp:${tool}`;

/** Drops the keys whose value is undefined (optional contract fields are absent, not null). */
function defined<T extends Record<string, unknown>>(data: T): T {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined)) as T;
}

function event<Type extends OtlpContractEvent['type'], Data extends Record<string, unknown>>(type: Type, tool: string, time: string, data: Data, idContent?: unknown) {
  const clean = defined(data);
  const source = otlpSource(tool);
  return { specversion: '1.0' as const, id: derivedId(idContent ?? [type, source, time, clean]), source, type, time, data: clean };
}

export const outputGenerated = (tool: string, time: string, data: OutputGeneratedData) => event('ai.output.generated', tool, time, data) as OtlpContractEvent;

export const reworkRecorded = (kind: ReworkKind, tool: string, time: string, data: ReworkData) => event(kind, tool, time, data) as OtlpContractEvent;

/** One `ai.usage.recorded`; its id from series, start, time and value (given by the caller), so a retry is a duplicate. */
export const usageRecorded = (tool: string, time: string, data: UsageRecordedData, idContent: unknown) =>
  event('ai.usage.recorded', tool, time, data, idContent) as OtlpContractEvent;
