// What the OTLP mapping produces: contract events (CloudEvents) with ids derived from their content.
import { v5 as uuidv5 } from 'uuid';

/** The UUID v5 namespace of OTLP-derived ids. Fixed forever: changing it would change every derived id. */
export const OTLP_ID_NAMESPACE = '30dcef45-ac49-42e6-81c0-b8e12593bcc8';

/** A stable id of some content: the same content (an exporter's retry) gives the same id. */
export const derivedId = (content: unknown): string => uuidv5(JSON.stringify(content), OTLP_ID_NAMESPACE);

export type OutputGeneratedData = Readonly<{
  outputId: string;
  employeeId: string;
  teamId?: string;
  tool: string;
  model?: string;
  taskType: string;
  inputTokens?: number;
  outputTokens?: number;
}>;

export type ReworkKind = 'ai.output.corrected' | 'ai.output.rewritten' | 'ai.output.double_checked' | 'ai.output.discarded';
export const REWORK_KINDS: readonly ReworkKind[] = ['ai.output.corrected', 'ai.output.rewritten', 'ai.output.double_checked', 'ai.output.discarded'];

export type ReworkData = Readonly<{ outputId: string; employeeId: string; minutesSpent: number; reason?: string }>;

/**
 * `ai.usage.recorded` (PRODUCT.md, "Connectors", contract v1.1): adoption and spend of one day. The OTLP receiver sends
 * one per metric data point, cumulative points with their series so that the usage projection derives the deltas.
 */
export type AiUsageRecordedData = Readonly<{
  employeeId: string;
  teamId?: string;
  tool: string;
  model?: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  /** Identifies the source row: a later event with the same key replaces the earlier one. */
  usageKey: string;
  requests?: number;
  suggestions?: number;
  acceptances?: number;
  linesSuggested?: number;
  linesAccepted?: number;
  inputTokens?: number;
  outputTokens?: number;
  cost?: number;
  currency?: string;
  credits?: number;
  /** A key of the series' identity (metric, resource and point attributes). */
  series?: string;
  /** RFC 3339: when the series (this run of the counter) started. */
  seriesStart?: string;
  /** True: the value is the series' running total since `seriesStart`; false: the value of this point's interval. */
  cumulative?: boolean;
}>;

type EventOf<Type extends string, Data> = Readonly<{ specversion: '1.0'; id: string; source: string; type: Type; time: string; data: Data }>;

export type OtlpContractEvent =
  | EventOf<'ai.output.generated', OutputGeneratedData>
  | EventOf<ReworkKind, ReworkData>
  | EventOf<'ai.usage.recorded', AiUsageRecordedData>;

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
export const usageRecorded = (tool: string, time: string, data: AiUsageRecordedData, idContent: unknown) =>
  event('ai.usage.recorded', tool, time, data, idContent) as OtlpContractEvent;
