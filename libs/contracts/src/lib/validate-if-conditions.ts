import { UsageRecordedData } from './event-data';

type JsonSchema = Record<string, unknown>;

/** Holds exactly when `data.name != null`: an own property neither undefined nor null (Ajv reads own properties only). */
const notNull = (name: string): JsonSchema => ({ required: [name], properties: { [name]: { not: { type: 'null' } } } });

/** Holds exactly when `data.name === true` (Ajv compares a primitive `const` with `!==`: a Boolean object is not true). */
const isTrue = (name: string): JsonSchema => ({ required: [name], properties: { [name]: { const: true } } });

/**
 * The conditions of the contract classes' `@ValidateIf(...)` rules, in JSON Schema, for the compiled check
 * (compiled-event-validator.ts): for each class and property, an `if` that holds exactly when the decorator's function
 * returns true. The function is opaque, so each entry was checked by hand against its source in event-data.ts (quoted
 * beside it), and the spec compares both on every combination of the values the function reads. class-validator calls
 * it with the instance event-validator.ts builds, whose only own properties are the declared ones copied from the
 * data's own properties, and whose prototype has none of these names: `data.x` there is the data's own `x`, or
 * undefined. A `@ValidateIf` not listed here leaves its class to class-validator.
 */
export const VALIDATE_IF_CONDITIONS: ReadonlyMap<new () => object, Readonly<Record<string, JsonSchema>>> = new Map<new () => object, Readonly<Record<string, JsonSchema>>>([
  [
    UsageRecordedData,
    {
      // (data) => data.cost != null || data.currency != null
      currency: { anyOf: [notNull('cost'), notNull('currency')] },
      // (data) => data.cumulative === true || data.series != null
      series: { anyOf: [isTrue('cumulative'), notNull('series')] },
      // (data) => data.cumulative === true || data.seriesStart != null
      seriesStart: { anyOf: [isTrue('cumulative'), notNull('seriesStart')] },
    },
  ],
]);
