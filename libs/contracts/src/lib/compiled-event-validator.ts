import { EVENT_TYPES, type EventType, isEventType } from '@rework-ledger/domain';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { getMetadataStorage, isISO4217CurrencyCode, isRFC3339, maxLength, validateSync } from 'class-validator';
import { CloudEventEnvelope } from './cloud-event';
import { DATA_CLASS_BY_TYPE, IS_UTC_DAY, isUtcDay, UTC_DAY_PATTERN, ZERO_OR_AT_LEAST } from './event-data';
import { buildEventSchemas } from './json-schemas';
import { VALIDATE_IF_CONDITIONS } from './validate-if-conditions';

/**
 * A fast path for the class-validator rules of an event's `data` (issue 13; the envelope's below): Ajv validators compiled once from the
 * JSON Schemas the contract generates from its class-validator classes (json-schemas.ts), which stay the definition
 * of the rules. It only answers "these rules pass": when they do, class-validator would report nothing, so the caller
 * may skip it; when they do not (rare), the caller asks class-validator for the errors, whose codes and messages are
 * the contract's. The rules on every value (NUL and lone surrogates, depth, reserved names, size of extra fields) and
 * the checks of event-validator.ts beside class-validator (time range, key bytes) are not here: the caller runs them
 * on every event as before.
 *
 * Where the published schema says a rule in looser words than class-validator checks it, the compiled schema takes
 * class-validator's meaning, so that both agree event by event (the parity test, compiled-event-validator.spec.ts):
 *
 * - `@IsOptional()` skips null as well as a missing value: optional fields also admit null;
 * - `@ValidateIf(condition)` applies the property's rules, to a missing or null value too, when the condition holds,
 *   and none when it does not: an `if`/`then` of the object, whose `if` is the condition as validate-if-conditions.ts
 *   states it (a condition not stated there leaves the class to class-validator);
 * - `@IsInt()` comes out of the generator as `type: number`: it is `integer` here;
 * - lengths are counted as class-validator counts them (validator.js: a surrogate pair or a character with its
 *   presentation selector is one), and `@IsISO4217CurrencyCode()` / `@IsRFC3339()` / `@UtcDay()` are the rules' own
 *   functions, not the schema's `^[A-Z]{3}$`, `format: date-time` and `format: date`;
 * - patterns are compiled as class-validator's regular expressions are (no `u` flag);
 * - only own properties are read, as event-validator.ts copies only own properties for class-validator.
 *
 * A rule this file does not know how to translate disables the fast path for the classes that carry it (they are
 * then always checked by class-validator), rather than checking them loosely.
 */
export function passesCompiledDataRules(type: EventType, data: Readonly<Record<string, unknown>>): boolean {
  const validate = compiledValidators().data[type];
  if (validate === undefined) return false;
  try {
    return validate(data) === true;
  } catch {
    // A value Ajv cannot read (a throwing getter): class-validator answers for it.
    return false;
  }
}

/**
 * The same for the rules of the CloudEvents envelope (cloud-event.ts) on an event's own attributes, compiled per event
 * type (the schema of each type names its `type`): false for an event of no known type, which class-validator judges.
 */
export function passesCompiledEnvelopeRules(event: Readonly<Record<string, unknown>>): boolean {
  const type = event['type'];
  if (typeof type !== 'string' || !isEventType(type)) return false;
  const validate = compiledValidators().envelope[type];
  if (validate === undefined) return false;
  try {
    return validate(event) === true;
  } catch {
    return false;
  }
}

/** The event types whose data rules are compiled (all of them, unless a class gains a rule this file cannot translate). */
export function compiledDataEventTypes(): EventType[] {
  const { data } = compiledValidators();
  return EVENT_TYPES.filter((type) => data[type] !== undefined);
}

/** The event types whose envelope rules are compiled (all of them, unless the envelope gains such a rule). */
export function compiledEnvelopeEventTypes(): EventType[] {
  const { envelope } = compiledValidators();
  return EVENT_TYPES.filter((type) => envelope[type] !== undefined);
}

/**
 * The verdict class-validator gives on the same rules, as event-validator.ts asks it (the contract class's declared
 * properties copied from the data's own properties): the reference of the parity test and of the micro-benchmark.
 */
export function passesClassValidatorDataRules(type: EventType, data: Readonly<Record<string, unknown>>): boolean {
  return passesClassValidator(DATA_CLASS_BY_TYPE[type], data);
}

/** The verdict class-validator gives on the envelope's rules, as event-validator.ts asks it. */
export function passesClassValidatorEnvelopeRules(event: Readonly<Record<string, unknown>>): boolean {
  return passesClassValidator(CloudEventEnvelope, event);
}

function passesClassValidator(cls: new () => object, plain: Readonly<Record<string, unknown>>): boolean {
  const instance = Object.create(cls.prototype) as object;
  for (const rule of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    if (Object.prototype.hasOwnProperty.call(plain, rule.propertyName)) {
      Object.defineProperty(instance, rule.propertyName, { value: plain[rule.propertyName], enumerable: true, writable: true, configurable: true });
    }
  }
  return validateSync(instance).length === 0;
}

type JsonSchema = Record<string, unknown>;
type Rule = Readonly<{ type: string; name?: string; constraints?: unknown[]; each?: boolean; groups?: unknown[]; always?: boolean }>;

type Validators = Readonly<{ data: Partial<Record<EventType, ValidateFunction>>; envelope: Partial<Record<EventType, ValidateFunction>> }>;

let validators: Validators | undefined;

/** Compiled on first use, once: class-validator-jsonschema and Ajv take a few hundred milliseconds. */
function compiledValidators(): Validators {
  if (validators !== undefined) return validators;
  const ajv = createAjv();
  const schemas = buildEventSchemas();
  const byClass = new Map<new () => object, ValidateFunction | undefined>();
  const data: Partial<Record<EventType, ValidateFunction>> = {};
  const envelope: Partial<Record<EventType, ValidateFunction>> = {};
  for (const type of EVENT_TYPES) {
    const { data: publishedData, ...publishedEnvelope } = schemas[type]['properties'] as Record<string, JsonSchema>;
    const dataClass: new () => object = DATA_CLASS_BY_TYPE[type];
    if (!byClass.has(dataClass)) {
      byClass.set(dataClass, compile(ajv, classValidatorMeaning(dataClass, publishedData)));
    }
    const validateData = byClass.get(dataClass);
    if (validateData !== undefined) data[type] = validateData;
    // The envelope's `data` is only required to be an object (@IsObject()): its rules are the data class's.
    const validateEnvelope = compile(ajv, classValidatorMeaning(CloudEventEnvelope, { properties: { ...publishedEnvelope, data: {} }, required: schemas[type]['required'] }));
    if (validateEnvelope !== undefined) envelope[type] = validateEnvelope;
  }
  validators = { data, envelope };
  return validators;
}

/** Undefined when there is no schema or Ajv refuses it: class-validator then checks every event (the parity test says so). */
function compile(ajv: Ajv2020, schema: JsonSchema | undefined): ValidateFunction | undefined {
  if (schema === undefined) return undefined;
  try {
    return ajv.compile(schema);
  } catch {
    return undefined;
  }
}

function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: false,
    ownProperties: true,
    // class-validator's `matches` tests the RegExp the decorator was given, without the `u` flag.
    unicodeRegExp: false,
    strict: true,
    // `not: { exclusiveMinimum, exclusiveMaximum }` (0 or at least a minimum) sits beside `type: number`.
    strictTypes: false,
    validateFormats: false,
  });
  // class-validator's own checks, for what the published schema says in looser words.
  ajv.addKeyword({
    keyword: 'classValidatorMaxLength',
    type: 'string',
    schemaType: 'number',
    errors: false,
    // validator.js never counts a string longer than its UTF-16 length: the usual case needs no regular expression.
    validate: (max: number, value: string) => value.length <= max || maxLength(value, max),
  });
  ajv.addKeyword({ keyword: 'classValidatorIsRFC3339', schemaType: 'boolean', errors: false, validate: (_: boolean, value: unknown) => isRFC3339(value) });
  ajv.addKeyword({ keyword: 'classValidatorIsUtcDay', schemaType: 'boolean', errors: false, validate: (_: boolean, value: unknown) => isUtcDay(value) });
  ajv.addKeyword({
    keyword: 'classValidatorIsISO4217CurrencyCode',
    schemaType: 'boolean',
    errors: false,
    validate: (_: boolean, value: unknown) => isISO4217CurrencyCode(value),
  });
  return ajv;
}

/** Rules (class-validator constraint names) whose meaning the compiled schema states exactly. */
const TRANSLATED = new Set([
  'isString',
  'isNotEmpty',
  'maxLength',
  'matches',
  'isIn',
  'isInt',
  'isNumber',
  'min',
  'max',
  ZERO_OR_AT_LEAST,
  'isArray',
  'arrayMaxSize',
  'isISO4217CurrencyCode',
  'isRFC3339',
  'equals',
  'isObject',
  'isBoolean',
  IS_UTC_DAY,
]);
/** Rules that may apply to each item of an array. */
const TRANSLATED_EACH = new Set(['isString', 'isNotEmpty', 'maxLength', 'matches']);
/** Keywords of a property's compiled schema whose meaning is class-validator's (see above). */
const KNOWN_KEYWORDS = new Set([
  'type',
  'const',
  'minLength',
  'pattern',
  'enum',
  'minimum',
  'maximum',
  'not',
  'items',
  'maxItems',
  'classValidatorMaxLength',
  'classValidatorIsRFC3339',
  'classValidatorIsISO4217CurrencyCode',
  'classValidatorIsUtcDay',
]);
/** Rules that refuse undefined and null: a property under `@ValidateIf` has one, so that its `then` may require it. */
const REFUSES_MISSING = new Set(['isString', 'isNumber', 'isInt', 'isBoolean', 'isArray', 'isObject', 'isRFC3339', 'isISO4217CurrencyCode', IS_UTC_DAY]);

/**
 * The published schema of a data class, given class-validator's meaning; undefined when a rule of the class cannot
 * be stated exactly (the class is then always checked by class-validator).
 */
function classValidatorMeaning(cls: new () => object, published: JsonSchema): JsonSchema | undefined {
  const rules = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false) as unknown as Rule[];
  const publishedProperties = published['properties'] as Record<string, JsonSchema>;
  const required = new Set(published['required'] as string[]);
  const properties: Record<string, JsonSchema> = {};
  const conditional: JsonSchema[] = [];
  const byProperty = new Map<string, Rule[]>();
  for (const rule of rules as unknown as (Rule & { propertyName: string })[]) {
    byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule]);
  }
  for (const [name, propertyRules] of byProperty) {
    const source = publishedProperties[name];
    if (source === undefined) return undefined;
    const property = structuredClone(source);
    let optional = false;
    let defined = false;
    let condition: JsonSchema | undefined;
    for (const rule of propertyRules) {
      if ((rule.groups?.length ?? 0) > 0 || rule.always === true) return undefined;
      if (rule.type === 'conditionalValidation' && rule.name === 'isOptional') {
        optional = true;
        continue;
      }
      if (rule.type === 'conditionalValidation' && rule.name === undefined) {
        // @ValidateIf(): only a condition stated by hand, and one per property.
        const stated = VALIDATE_IF_CONDITIONS.get(cls)?.[name];
        if (stated === undefined || condition !== undefined) return undefined;
        condition = stated;
        continue;
      }
      if (rule.type === 'isDefined') {
        defined = true;
        continue;
      }
      if (rule.type !== 'customValidation' || rule.name === undefined || !TRANSLATED.has(rule.name)) return undefined;
      if (rule.each === true && !TRANSLATED_EACH.has(rule.name)) return undefined;
      const target = rule.each === true ? (property['items'] as JsonSchema | undefined) : property;
      if (target === undefined || !translate(rule, target)) return undefined;
    }
    if (defined) {
      // @IsDefined(): not undefined (`required`, own properties only) and not null (the property's type excludes it).
      if (!required.has(name)) return undefined;
      if (isNullExcluded(property['not'])) delete property['not'];
      if (typeof property['type'] !== 'string' || property['type'] === 'null') return undefined;
    }
    const names = new Set(propertyRules.map((rule) => rule.name));
    if (('not' in property && !names.has(ZERO_OR_AT_LEAST)) || ('const' in property && !names.has('isIn'))) return undefined;
    if (!hasOnlyKnownKeywords(property)) return undefined;
    if (condition !== undefined) {
      const rule = whenCondition(name, property, condition, propertyRules);
      if (rule === undefined || optional || defined || required.has(name)) return undefined;
      conditional.push(rule);
      continue;
    }
    if (optional === required.has(name)) return undefined;
    // @IsOptional(): null and undefined skip every rule of the property (undefined is skipped by `properties`). The
    // property's own schema first: a value that passes it (the usual case) spares Ajv the null branch's error object.
    properties[name] = optional ? { anyOf: [property, { type: 'null' }] } : property;
  }
  // Every property the published schema names is one class-validator checks, and the other way round.
  if (Object.keys(publishedProperties).some((name) => !byProperty.has(name))) return undefined;
  return { type: 'object', properties, required: [...required], ...(conditional.length > 0 ? { allOf: conditional } : {}) };
}

/**
 * `@ValidateIf(condition)` on a property: when the condition holds, class-validator applies every rule of the
 * property even to undefined and null, which one of its rules refuses (so the property is required, and its type
 * excludes null); when it does not, no rule applies. Undefined when the rules might pass a missing value.
 */
function whenCondition(name: string, property: JsonSchema, condition: JsonSchema, rules: readonly Rule[]): JsonSchema | undefined {
  if (!rules.some((rule) => rule.type === 'customValidation' && rule.each !== true && REFUSES_MISSING.has(rule.name ?? ''))) return undefined;
  if (typeof property['type'] !== 'string' || property['type'] === 'null') return undefined;
  return { if: condition, then: { required: [name], properties: { [name]: property } } };
}

/** Puts class-validator's meaning of one rule into the schema that carries it; false when it cannot. */
function translate(rule: Rule, schema: JsonSchema): boolean {
  const [constraint] = rule.constraints ?? [];
  switch (rule.name) {
    case 'maxLength':
      if (schema['maxLength'] !== constraint) return false;
      delete schema['maxLength'];
      schema['classValidatorMaxLength'] = constraint;
      return true;
    case 'matches': {
      const modifiers = rule.constraints?.[1];
      return constraint instanceof RegExp && constraint.flags === '' && (modifiers === undefined || modifiers === null) && schema['pattern'] === constraint.source;
    }
    case 'isInt':
      schema['type'] = 'integer';
      return true;
    case 'isNumber': {
      const options = (constraint ?? {}) as Record<string, unknown>;
      const keys = Object.keys(options).filter((key) => options[key] !== undefined);
      // Finite numbers only (Ajv's strictNumbers), no limit on decimal places.
      return options['allowNaN'] === false && options['allowInfinity'] === false && keys.every((key) => key === 'allowNaN' || key === 'allowInfinity');
    }
    case 'isISO4217CurrencyCode':
      delete schema['pattern'];
      schema['classValidatorIsISO4217CurrencyCode'] = true;
      return true;
    case 'isRFC3339':
      delete schema['format'];
      schema['classValidatorIsRFC3339'] = true;
      return true;
    case 'isIn':
      if (!Array.isArray(constraint) || !constraint.every((value) => typeof value === 'string') || schema['type'] !== 'string') return false;
      // The envelope's schema of one event type names that type (a value the rule admits).
      if (schema['enum'] === undefined && typeof schema['const'] === 'string' && constraint.includes(schema['const'])) return true;
      return sameList(schema['enum'], constraint);
    case 'equals':
      return typeof constraint === 'string' && schema['type'] === 'string' && sameList(schema['enum'], [constraint]);
    case 'isObject':
      // Ajv's object is class-validator's without functions: stricter, never looser.
      schema['type'] = 'object';
      return Object.keys(schema).length === 1;
    case 'min':
      return schema['minimum'] === constraint;
    case 'max':
      return schema['maximum'] === constraint;
    case 'arrayMaxSize':
      return schema['maxItems'] === constraint;
    case ZERO_OR_AT_LEAST: {
      const not = schema['not'] as JsonSchema | undefined;
      return typeof constraint === 'number' && not?.['exclusiveMinimum'] === 0 && not['exclusiveMaximum'] === constraint && Object.keys(not).length === 2;
    }
    case 'isString':
      return schema['type'] === 'string';
    case 'isArray':
      return schema['type'] === 'array';
    case 'isBoolean':
      // Ajv's boolean is class-validator's without Boolean objects: stricter, never looser.
      return schema['type'] === 'boolean';
    case IS_UTC_DAY:
      if (schema['type'] !== 'string' || schema['format'] !== 'date' || schema['pattern'] !== UTC_DAY_PATTERN) return false;
      delete schema['format'];
      delete schema['pattern'];
      schema['classValidatorIsUtcDay'] = true;
      return true;
    case 'isNotEmpty':
      // With isString: not ''. null and undefined fail the type already.
      return schema['minLength'] === 1 && schema['type'] === 'string';
    default:
      return false;
  }
}

function isNullExcluded(not: unknown): boolean {
  return typeof not === 'object' && not !== null && Object.keys(not).length === 1 && (not as JsonSchema)['type'] === 'null';
}

function hasOnlyKnownKeywords(schema: JsonSchema): boolean {
  return Object.keys(schema).every((keyword) => KNOWN_KEYWORDS.has(keyword)) && (schema['items'] === undefined || hasOnlyKnownKeywords(schema['items'] as JsonSchema));
}

function sameList(left: unknown, right: readonly unknown[]): boolean {
  return Array.isArray(left) && left.length === right.length && left.every((value, index) => value === right[index]);
}
