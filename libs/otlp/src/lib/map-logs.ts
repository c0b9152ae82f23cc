import { type Attributes, attributesOf, isoTimeOf, numeric, personOf, text } from './otlp-attributes';
import { derivedId, outputGenerated, REWORK_KINDS, type ReworkKind, reworkRecorded } from './otlp-events';
import { DEFAULT_OTLP_MAPPING_OPTIONS, mappingBuilder, type MappingBuilder, type OtlpMapping, type OtlpMappingOptions } from './otlp-mapping';
import type { ExportLogsRequest, LogRecord } from './otlp-records';
import { toolOf } from './map-traces';

/** Claude Code's code-editing tools: a decision on one of them is a decision on an AI output. */
export const CODE_EDITING_TOOLS: readonly string[] = ['Edit', 'Write', 'NotebookEdit', 'MultiEdit'];
const TOOL_DECISION_EVENTS = ['claude_code.tool_decision', 'tool_decision'];
/** Rejections by a person that throw the edit away: also `ai.output.discarded`. */
const DISCARDING_SOURCES = ['user_reject', 'user_abort'];

/** A log record's event name: its `event_name` field (current exporters), else its `event.name` attribute (older ones). */
export function eventNameOf(record: LogRecord, attributes: Attributes): string | undefined {
  const field = record.eventName?.trim();
  return field ? field : text(attributes, 'event.name');
}

type Context = Readonly<{ resource: Attributes; tool: string; teamId?: string; options: OtlpMappingOptions }>;

/**
 * Log records → rework events (event name `ai.output.corrected` / `rewritten` / `double_checked` / `discarded`) and
 * Claude Code `tool_decision` events → `ai.output.generated` (+ `ai.output.discarded`). Others are ignored.
 */
export function mapLogs(request: ExportLogsRequest, options: OtlpMappingOptions = DEFAULT_OTLP_MAPPING_OPTIONS): OtlpMapping {
  const mapping = mappingBuilder();
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resource = attributesOf(resourceLogs.resource?.attributes);
    const context: Context = { resource, tool: toolOf(resource), teamId: text(resource, 'team.id'), options };
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const logRecord of scopeLogs.logRecords ?? []) mapRecord(mapping, mapping.next(), logRecord, context);
    }
  }
  return mapping.result();
}

function mapRecord(mapping: MappingBuilder, record: number, logRecord: LogRecord, context: Context): void {
  const attributes = attributesOf(logRecord.attributes);
  const name = eventNameOf(logRecord, attributes);
  const isRework = REWORK_KINDS.includes(name as ReworkKind);
  const isToolDecision = name !== undefined && TOOL_DECISION_EVENTS.includes(name);
  if (!isRework && !isToolDecision) {
    mapping.ignore('log.not-a-mapped-event');
    return;
  }
  const ignored = isToolDecision ? toolDecisionIgnored(attributes) : undefined;
  if (ignored) {
    mapping.ignore(ignored);
    return;
  }
  const employeeId = personOf(attributes, context.resource);
  if (employeeId === undefined) {
    mapping.refuse(record, 'no-person');
    return;
  }
  const time = isoTimeOf(logRecord.timeUnixNano) ?? isoTimeOf(logRecord.observedTimeUnixNano) ?? isoText(text(attributes, 'event.timestamp'));
  if (time === undefined) {
    mapping.refuse(record, 'no-time');
    return;
  }
  if (isToolDecision) {
    emitToolDecision(mapping, record, attributes, { ...context, employeeId, time });
    return;
  }
  const outputId = text(attributes, 'ai.output.id');
  if (outputId === undefined) {
    mapping.refuse(record, 'no-output-id');
    return;
  }
  const minutesSpent = numeric(attributes, 'rework.minutes_spent');
  if (minutesSpent === undefined) {
    mapping.refuse(record, 'no-minutes-spent');
    return;
  }
  mapping.emit(record, reworkRecorded(name as ReworkKind, context.tool, time, { outputId, employeeId, minutesSpent, reason: text(attributes, 'rework.reason') }));
}

function emitToolDecision(mapping: MappingBuilder, record: number, attributes: Attributes, context: Context & Readonly<{ employeeId: string; time: string }>): void {
  const { employeeId, time } = context;
  const toolName = text(attributes, 'tool_name') as string;
  const source = text(attributes, 'source') as string;
  const outputId = text(attributes, 'tool_use_id') ?? derivedId(['claude_code.tool_decision', text(attributes, 'prompt.id') ?? '', toolName, time]);
  mapping.emit(
    record,
    outputGenerated(context.tool, time, { outputId, employeeId, teamId: context.teamId, tool: context.tool, model: text(attributes, 'model'), taskType: 'coding' }),
  );
  if (text(attributes, 'decision') === 'reject' && DISCARDING_SOURCES.includes(source)) {
    mapping.emit(record, reworkRecorded('ai.output.discarded', context.tool, time, { outputId, employeeId, minutesSpent: context.options.discardMinutes, reason: source }));
  }
}

/** Why a tool decision is not counted: not a code edit, a policy's decision (config, hook), or not accept/reject. */
function toolDecisionIgnored(attributes: Attributes) {
  const toolName = text(attributes, 'tool_name');
  if (toolName === undefined || !CODE_EDITING_TOOLS.includes(toolName)) return 'tool_decision.not-code-editing' as const;
  const source = text(attributes, 'source') ?? '';
  if (source === 'config' || source === 'hook') return 'tool_decision.by-policy' as const;
  if (!source.startsWith('user_')) return 'tool_decision.not-by-a-person' as const;
  const decision = text(attributes, 'decision');
  if (decision !== 'accept' && decision !== 'reject') return 'tool_decision.not-accept-or-reject' as const;
  return undefined;
}

function isoText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
