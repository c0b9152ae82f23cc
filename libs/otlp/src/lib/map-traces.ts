import type { TaskType } from '@rework-ledger/domain';
import { attributesOf, flag, hexOf, isoTimeOf, numeric, personOf, text } from './otlp-attributes';
import { outputGenerated } from './otlp-events';
import { DEFAULT_OTLP_MAPPING_OPTIONS, mappingBuilder, type OtlpMapping, type OtlpMappingOptions } from './otlp-mapping';
import type { ExportTraceRequest } from './otlp-records';

/** The tool of a resource: its `service.name` (the SDKs' default when unset). */
export const toolOf = (resource: ReturnType<typeof attributesOf>) => text(resource, 'service.name') ?? 'unknown_service';

/**
 * GenAI spans → `ai.output.generated` (PRODUCT.md, "Connectors"): a span is an output when `rework_ledger.output` is
 * true, or, without that attribute, when its `gen_ai.operation.name` is one of the tenant's output operations. Decided
 * span by span.
 */
export function mapTraces(request: ExportTraceRequest, options: OtlpMappingOptions = DEFAULT_OTLP_MAPPING_OPTIONS): OtlpMapping {
  const mapping = mappingBuilder();
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    const tool = toolOf(resource);
    const teamId = text(resource, 'team.id');
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const record = mapping.next();
        const attributes = attributesOf(span.attributes);
        const marked = flag(attributes, 'rework_ledger.output');
        const operation = text(attributes, 'gen_ai.operation.name');
        const isOutput = marked ?? (operation !== undefined && options.outputOperations.includes(operation));
        if (!isOutput) {
          mapping.ignore('span.not-an-output');
          continue;
        }
        const employeeId = personOf(attributes, resource);
        if (employeeId === undefined) {
          mapping.refuse(record, 'no-person');
          continue;
        }
        const time = isoTimeOf(span.endTimeUnixNano) ?? isoTimeOf(span.startTimeUnixNano);
        if (time === undefined) {
          mapping.refuse(record, 'no-time');
          continue;
        }
        const inputTokens = numeric(attributes, 'gen_ai.usage.input_tokens') ?? numeric(attributes, 'gen_ai.usage.prompt_tokens');
        const outputTokens = numeric(attributes, 'gen_ai.usage.output_tokens') ?? numeric(attributes, 'gen_ai.usage.completion_tokens');
        mapping.emit(
          record,
          outputGenerated(tool, time, {
            outputId: text(attributes, 'gen_ai.response.id') ?? `${hexOf(span.traceId)}-${hexOf(span.spanId)}`,
            employeeId,
            teamId,
            tool,
            model: text(attributes, 'gen_ai.response.model') ?? text(attributes, 'gen_ai.request.model'),
            // As the span says: a value the contract does not know is refused there, with its reason (partialSuccess).
            taskType: (text(attributes, 'rework_ledger.task_type') ?? 'other') as TaskType,
            inputTokens,
            outputTokens,
          }),
        );
      }
    }
  }
  return mapping.result();
}
