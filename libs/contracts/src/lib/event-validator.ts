import { type ErrorShape, type EventType, isEventType, USAGE_FIGURES } from '@rework-ledger/domain';
import { getMetadataStorage, type ValidationError, validateSync } from 'class-validator';
import { CloudEventEnvelope } from './cloud-event';
import { passesCompiledDataRules, passesCompiledEnvelopeRules } from './compiled-event-validator';
import { DATA_CLASS_BY_TYPE } from './event-data';
import { inspectExtraSize, inspectStructure } from './event-structure';
import { EARLIEST_EVENT_TIME, LATEST_EVENT_TIME, MAX_IDENTITY_BYTES, MAX_KEY_BYTES } from './limits';

/** A CloudEvent that satisfies contract v1, with its tenant resolved. `data` keeps unknown extra fields. */
export type ValidEvent = Readonly<{
  tenant: string;
  id: string;
  source: string;
  type: EventType;
  time: Date;
  subject?: string;
  data: Readonly<Record<string, unknown>>;
}>;

export type EventValidation =
  | { ok: true; event: ValidEvent }
  | { ok: false; id?: string; errors: ErrorShape[] };

/**
 * Where the tenant of an event comes from. Over HTTP it is the caller's (`fromCredentials`): an event naming
 * another tenant is rejected. On Kafka it is the event's `tenant` extension (`fromEvent`), optionally bound.
 */
export type TenantSource = { fromCredentials: string } | { fromEvent: true; boundTo?: string };

const CODE_BY_CONSTRAINT: Record<string, { code: string; rank: number }> = {
  isDefined: { code: 'FIELD.REQUIRED', rank: 0 },
  isString: { code: 'FIELD.NOT_A_STRING', rank: 1 },
  isNumber: { code: 'FIELD.NOT_A_FINITE_NUMBER', rank: 1 },
  isInt: { code: 'FIELD.NOT_AN_INTEGER', rank: 1 },
  isArray: { code: 'FIELD.NOT_AN_ARRAY', rank: 1 },
  isBoolean: { code: 'FIELD.NOT_A_BOOLEAN', rank: 1 },
  isObject: { code: 'FIELD.NOT_AN_OBJECT', rank: 1 },
  isNotEmpty: { code: 'FIELD.EMPTY', rank: 2 },
  maxLength: { code: 'FIELD.TOO_LONG', rank: 3 },
  arrayMaxSize: { code: 'FIELD.TOO_MANY_ITEMS', rank: 3 },
  min: { code: 'FIELD.OUT_OF_RANGE', rank: 3 },
  max: { code: 'FIELD.OUT_OF_RANGE', rank: 3 },
  isRFC3339: { code: 'FIELD.NOT_RFC3339', rank: 3 },
  isIn: { code: 'FIELD.NOT_ALLOWED', rank: 3 },
  isISO4217CurrencyCode: { code: 'FIELD.NOT_A_CURRENCY', rank: 3 },
  matches: { code: 'FIELD.INVALID_CHARACTERS', rank: 3 },
  zeroOrAtLeast: { code: 'FIELD.OUT_OF_RANGE', rank: 3 },
  equals: { code: 'FIELD.NOT_ALLOWED', rank: 3 },
  isUtcDay: { code: 'FIELD.NOT_A_DAY', rank: 3 },
};

const ENVELOPE_CODES: Record<string, string> = {
  'specversion:equals': 'EVENT.UNSUPPORTED_SPECVERSION',
  'type:isIn': 'EVENT.UNKNOWN_TYPE',
};

/** The one validator of contract v1, used by every entry point (HTTP, Kafka, xAPI). Never throws. */
export function validateEvent(raw: unknown, tenantSource: TenantSource): EventValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ code: 'EVENT.NOT_AN_OBJECT', message: 'an event must be a JSON object' }] };
  }
  const candidate = raw as Record<string, unknown>;
  const id = typeof candidate['id'] === 'string' ? candidate['id'] : undefined;
  const type = candidate['type'];
  const data = candidate['data'];
  const dataIsObject = typeof data === 'object' && data !== null && !Array.isArray(data);

  // The envelope's attributes (and its extension attributes), then the data: judged apart, as a stored event's data is.
  const errors = inspectStructure(candidate, '', dataIsObject ? 'data' : undefined);
  if (!passesCompiledEnvelopeRules(candidate)) errors.push(...toErrors(validateSync(asInstanceOf(CloudEventEnvelope, candidate)), ''));
  if (typeof candidate['time'] === 'string' && !errors.some((e) => e.field === 'time')) errors.push(...inspectTime(candidate['time'], 'time'));
  if (typeof type === 'string' && isEventType(type) && dataIsObject) errors.push(...dataErrors(type, data as Record<string, unknown>));
  else if (dataIsObject) errors.push(...inspectStructure(data as Record<string, unknown>, 'data'));

  const tenant = resolveTenant(candidate['tenant'], tenantSource, errors);
  if (errors.length > 0 || tenant === undefined) return { ok: false, id, errors };
  const identityBytes = utf8Bytes(tenant) + utf8Bytes(candidate['source'] as string) + utf8Bytes(id as string);
  if (identityBytes > MAX_IDENTITY_BYTES) {
    const message = `tenant, source and id take at most ${MAX_IDENTITY_BYTES} bytes together in UTF-8 (the event's identity is indexed); these take ${identityBytes}`;
    return { ok: false, id, errors: [{ code: 'FIELD.TOO_LONG', message, field: 'source' }] };
  }

  const subject = candidate['subject'];
  return {
    ok: true,
    event: {
      tenant,
      id: id as string,
      source: candidate['source'] as string,
      type: type as EventType,
      time: new Date(candidate['time'] as string),
      ...(typeof subject === 'string' ? { subject } : {}),
      data: data as Record<string, unknown>,
    },
  };
}

/**
 * The rules of contract v1 for the `data` of an event already stored: what a projection checks before applying a
 * stored event (events stored before a bound existed may break it). Exactly the data rules of `validateEvent`;
 * empty when the data is admissible. Never throws.
 */
export function validateStoredEventData(type: string, data: unknown): ErrorShape[] {
  if (!isEventType(type)) return [{ code: 'EVENT.UNKNOWN_TYPE', message: `unknown event type`, field: 'type' }];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ code: 'FIELD.NOT_AN_OBJECT', message: 'data must be an object', field: 'data' }];
  }
  return dataErrors(type, data as Record<string, unknown>);
}

/** Every rule of contract v1 on the `data` of an event of a known type. */
function dataErrors(type: EventType, data: Record<string, unknown>): ErrorShape[] {
  const structure = inspectStructure(data, 'data');
  const dataClass: new () => object = DATA_CLASS_BY_TYPE[type];
  // The compiled rules pass on nearly every event; class-validator is asked only for the errors of the others.
  const errors = passesCompiledDataRules(type, data) ? [] : toErrors(validateSync(asInstanceOf(dataClass, data)), 'data.');
  // A string both the structure and the field's own rule refuse is reported once.
  errors.push(...structure.filter((error) => !errors.some((e) => e.field === error.field && e.code === error.code)));
  const effectiveFrom = data['effectiveFrom'];
  if (type === 'employee.assigned' && typeof effectiveFrom === 'string' && !errors.some((e) => e.field === 'data.effectiveFrom')) {
    errors.push(...inspectTime(effectiveFrom, 'data.effectiveFrom'));
  }
  if (type === 'ai.usage.recorded') errors.push(...usageDataErrors(data, errors));
  errors.push(...inspectKeyBytes(type, data));
  // Sizes are measured only on data of bounded depth and JSON values (what serializing it needs).
  if (structure.length === 0) errors.push(...inspectExtraSize(data, declaredProperties(dataClass), 'data'));
  return errors;
}

/**
 * The rules of `ai.usage.recorded` across its fields (the others are its class's): at least one figure, and
 * `seriesStart` a real instant in the event time range.
 */
function usageDataErrors(data: Record<string, unknown>, found: readonly ErrorShape[]): ErrorShape[] {
  const errors: ErrorShape[] = [];
  if (!USAGE_FIGURES.some((figure) => data[figure] !== undefined && data[figure] !== null)) {
    errors.push({ code: 'FIELD.REQUIRED', message: `data must carry at least one of ${USAGE_FIGURES.join(', ')}`, field: 'data' });
  }
  const seriesStart = data['seriesStart'];
  if (typeof seriesStart === 'string' && !found.some((e) => e.field === 'data.seriesStart')) errors.push(...inspectTime(seriesStart, 'data.seriesStart'));
  return errors;
}

/** The keys the read models index (training's, usage's), within MAX_KEY_BYTES in UTF-8 (see limits.ts). */
function inspectKeyBytes(type: EventType, data: Record<string, unknown>): ErrorShape[] {
  const tooLong = (field: string, what: string): ErrorShape => ({ code: 'FIELD.TOO_LONG', message: `${what} take at most ${MAX_KEY_BYTES} bytes in UTF-8`, field });
  if (type === 'employee.identity_linked' && typeof data['system'] === 'string' && typeof data['externalId'] === 'string') {
    if (utf8Bytes(data['system']) + utf8Bytes(data['externalId']) > MAX_KEY_BYTES) return [tooLong('data.externalId', 'data.system and data.externalId together')];
  }
  if (type === 'ai.usage.recorded') {
    for (const field of ['usageKey', 'series']) {
      const value = data[field];
      if (typeof value === 'string' && utf8Bytes(value) > MAX_KEY_BYTES) return [tooLong(`data.${field}`, `data.${field} must`)];
    }
  }
  if (type === 'training.course_registered' && Array.isArray(data['activityIds'])) {
    const index = data['activityIds'].findIndex((iri) => typeof iri === 'string' && utf8Bytes(iri) > MAX_KEY_BYTES);
    if (index >= 0) return [tooLong(`data.activityIds[${index}]`, 'each of data.activityIds must')];
  }
  return [];
}

function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

const EARLIEST = Date.parse(EARLIEST_EVENT_TIME);
const LATEST = Date.parse(LATEST_EVENT_TIME);

/** An RFC 3339 timestamp (its syntax already checked) that is a real instant between the earliest and latest event times. */
function inspectTime(value: string, field: string): ErrorShape[] {
  const at = Date.parse(value);
  if (Number.isNaN(at)) return [{ code: 'FIELD.NOT_RFC3339', message: `${field} must be a valid RFC 3339 timestamp`, field }];
  if (at < EARLIEST || at > LATEST) {
    return [{ code: 'FIELD.OUT_OF_RANGE', message: `${field} must be from ${EARLIEST_EVENT_TIME} to ${LATEST_EVENT_TIME}`, field }];
  }
  return [];
}

/**
 * Lets class-validator see a plain object as an instance of a contract class without copying it through
 * class-transformer (no conversions are wanted: a string is never taken for a number). Only the properties the class
 * declares are copied, as own data properties: class-validator reads nothing else, and a property named
 * `constructor` or `__proto__` in the input can then never stand in for the class or its prototype.
 */
function asInstanceOf<T extends object>(cls: new () => T, plain: object): T {
  const instance = Object.create(cls.prototype) as T;
  for (const name of declaredProperties(cls)) {
    if (Object.prototype.hasOwnProperty.call(plain, name)) {
      Object.defineProperty(instance, name, { value: (plain as Record<string, unknown>)[name], enumerable: true, writable: true, configurable: true });
    }
  }
  return instance;
}

const declaredByClass = new Map<new () => object, ReadonlySet<string>>();

/** The properties a contract class declares rules for. */
function declaredProperties(cls: new () => object): ReadonlySet<string> {
  let declared = declaredByClass.get(cls);
  if (declared === undefined) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
    declared = new Set(metadata.map((rule) => rule.propertyName));
    declaredByClass.set(cls, declared);
  }
  return declared;
}

function resolveTenant(attribute: unknown, tenantSource: TenantSource, errors: ErrorShape[]): string | undefined {
  const named = typeof attribute === 'string' && attribute.length > 0 ? attribute : undefined;
  if ('fromCredentials' in tenantSource) {
    if (named !== undefined && named !== tenantSource.fromCredentials) {
      errors.push({ code: 'EVENT.TENANT_MISMATCH', message: 'tenant differs from the tenant of the API key', field: 'tenant' });
      return undefined;
    }
    return tenantSource.fromCredentials;
  }
  if (named === undefined) {
    if (!errors.some((e) => e.field === 'tenant')) {
      errors.push({ code: 'EVENT.TENANT_MISSING', message: 'the tenant extension attribute is required', field: 'tenant' });
    }
    return undefined;
  }
  if (tenantSource.boundTo !== undefined && named !== tenantSource.boundTo) {
    errors.push({ code: 'EVENT.TENANT_MISMATCH', message: `this topic only accepts tenant ${tenantSource.boundTo}`, field: 'tenant' });
    return undefined;
  }
  return named;
}

function toErrors(validationErrors: ValidationError[], prefix: string): ErrorShape[] {
  return validationErrors.map((error) => {
    const field = `${prefix}${error.property}`;
    const constraints = error.constraints ?? {};
    const missing = error.value === undefined || error.value === null;
    const names = Object.keys(constraints);
    const chosen = missing
      ? undefined
      : names.sort((a, b) => (CODE_BY_CONSTRAINT[a]?.rank ?? 9) - (CODE_BY_CONSTRAINT[b]?.rank ?? 9))[0];
    if (chosen === undefined) {
      return { code: 'FIELD.REQUIRED', message: `${field} is required`, field };
    }
    const code = ENVELOPE_CODES[`${field}:${chosen}`] ?? CODE_BY_CONSTRAINT[chosen]?.code ?? 'FIELD.INVALID';
    return { code, message: `${prefix}${constraints[chosen]}`, field };
  });
}
