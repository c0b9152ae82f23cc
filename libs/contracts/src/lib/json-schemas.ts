import { EVENT_TYPES, type EventType, USAGE_FIGURES } from '@rework-ledger/domain';
import { getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { CloudEventEnvelope } from './cloud-event';
import { DATA_CLASS_BY_TYPE, IS_UTC_DAY, UTC_DAY_PATTERN, ZERO_OR_AT_LEAST } from './event-data';
import { RESERVED_PROPERTY_NAMES } from './limits';

type JsonSchema = Record<string, unknown>;

// Constraints class-validator-jsonschema does not translate on its own.
const additionalConverters = {
  isRFC3339: { type: 'string' as const, format: 'date-time' },
  isISO4217CurrencyCode: { type: 'string' as const, pattern: '^[A-Z]{3}$' },
  // 0, or at least min: not strictly between 0 and min.
  [IS_UTC_DAY]: { type: 'string' as const, format: 'date', pattern: UTC_DAY_PATTERN },
  [ZERO_OR_AT_LEAST]: (meta: { constraints: unknown[] }) => ({ not: { exclusiveMinimum: 0, exclusiveMaximum: meta.constraints[0] as number } }),
};

// What a schema can say of the rules every value of an event obeys (event-structure.ts), at the top of the event and
// of its data; the rest (no NUL or lone surrogate in any string, nesting depth, size of extra fields, time range) is
// stated in docs/events.md.
const NOT_RESERVED = { not: { enum: [...RESERVED_PROPERTY_NAMES] } };

/** Rules across the fields of a type's data, which the class's per-field rules cannot state (see event-data.ts). */
const CROSS_FIELD_RULES: Partial<Record<EventType, JsonSchema>> = {
  'ai.usage.recorded': {
    anyOf: USAGE_FIGURES.map((figure) => ({ required: [figure] })),
    dependentRequired: { cost: ['currency'] },
    if: { properties: { cumulative: { const: true } }, required: ['cumulative'] },
    then: { required: ['series', 'seriesStart'] },
  },
};

/**
 * The data schema with `integer` for the fields class-validator holds to integers (`@IsInt()`): the generator's `Min`
 * and `Max` converters, applied after, write `number` over it.
 */
function withIntegers(cls: new () => object, schema: JsonSchema): JsonSchema {
  const rules = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const integers = new Set(rules.filter((rule) => rule.name === 'isInt' && rule.each !== true).map((rule) => rule.propertyName));
  const properties = { ...(schema['properties'] as Record<string, JsonSchema>) };
  for (const name of integers) if (properties[name]) properties[name] = { ...properties[name], type: 'integer' };
  return { ...schema, properties };
}

/**
 * JSON Schemas (draft 2020-12) for every event type of contract v1, generated from the same class-validator
 * definitions the validator uses, so they cannot drift. Published in docs/schemas/.
 */
export function buildEventSchemas(): Record<EventType, JsonSchema> {
  // Touch the classes so their decorators have registered before the metadata is read.
  void [CloudEventEnvelope, ...Object.values(DATA_CLASS_BY_TYPE)];
  const schemas = validationMetadatasToSchemas({
    classValidatorMetadataStorage: getMetadataStorage(),
    additionalConverters,
  }) as Record<string, JsonSchema>;
  const envelope = schemas[CloudEventEnvelope.name];
  const result = {} as Record<EventType, JsonSchema>;
  for (const type of EVENT_TYPES) {
    const dataSchema = withIntegers(DATA_CLASS_BY_TYPE[type], schemas[DATA_CLASS_BY_TYPE[type].name]);
    result[type] = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `https://rework-ledger.dev/schemas/v1/${type}.schema.json`,
      title: `${type} (Rework Ledger event contract v1)`,
      description: `A CloudEvents 1.0 event of type ${type}, in structured JSON mode.`,
      ...envelope,
      properties: {
        ...(envelope['properties'] as JsonSchema),
        type: { type: 'string', const: type },
        data: { ...dataSchema, ...CROSS_FIELD_RULES[type], additionalProperties: true, propertyNames: NOT_RESERVED },
      },
      additionalProperties: true,
      propertyNames: NOT_RESERVED,
    };
  }
  return result;
}
