import { type ErrorShape, type EventType, isEventType } from '@rework-ledger/domain';
import { type ValidationError, validateSync } from 'class-validator';
import { CloudEventEnvelope } from './cloud-event';
import { DATA_CLASS_BY_TYPE } from './event-data';

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
  isObject: { code: 'FIELD.NOT_AN_OBJECT', rank: 1 },
  isNotEmpty: { code: 'FIELD.EMPTY', rank: 2 },
  maxLength: { code: 'FIELD.TOO_LONG', rank: 3 },
  arrayMaxSize: { code: 'FIELD.TOO_MANY_ITEMS', rank: 3 },
  min: { code: 'FIELD.OUT_OF_RANGE', rank: 3 },
  max: { code: 'FIELD.OUT_OF_RANGE', rank: 3 },
  isRFC3339: { code: 'FIELD.NOT_RFC3339', rank: 3 },
  isIn: { code: 'FIELD.NOT_ALLOWED', rank: 3 },
  isISO4217CurrencyCode: { code: 'FIELD.NOT_A_CURRENCY', rank: 3 },
  equals: { code: 'FIELD.NOT_ALLOWED', rank: 3 },
};

const ENVELOPE_CODES: Record<string, string> = {
  'specversion:equals': 'EVENT.UNSUPPORTED_SPECVERSION',
  'type:isIn': 'EVENT.UNKNOWN_TYPE',
};

/** The one validator of contract v1, used by every entry point (HTTP, Kafka, xAPI). */
export function validateEvent(raw: unknown, tenantSource: TenantSource): EventValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ code: 'EVENT.NOT_AN_OBJECT', message: 'an event must be a JSON object' }] };
  }
  const candidate = raw as Record<string, unknown>;
  const id = typeof candidate['id'] === 'string' ? candidate['id'] : undefined;

  const errors = toErrors(validateSync(asInstanceOf(CloudEventEnvelope, candidate)), '');
  if (typeof candidate['time'] === 'string' && !errors.some((e) => e.field === 'time') && Number.isNaN(Date.parse(candidate['time']))) {
    errors.push({ code: 'FIELD.NOT_RFC3339', message: 'time must be a valid RFC 3339 timestamp', field: 'time' });
  }
  const type = candidate['type'];
  const data = candidate['data'];
  if (typeof type === 'string' && isEventType(type) && typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const dataClass: new () => object = DATA_CLASS_BY_TYPE[type];
    errors.push(...toErrors(validateSync(asInstanceOf(dataClass, data as object)), 'data.'));
    const effectiveFrom = (data as Record<string, unknown>)['effectiveFrom'];
    if (type === 'employee.assigned' && typeof effectiveFrom === 'string' && Number.isNaN(Date.parse(effectiveFrom))) {
      errors.push({ code: 'FIELD.NOT_RFC3339', message: 'data.effectiveFrom must be a valid RFC 3339 timestamp', field: 'data.effectiveFrom' });
    }
  }

  const tenant = resolveTenant(candidate['tenant'], tenantSource, errors);
  if (errors.length > 0 || tenant === undefined) return { ok: false, id, errors };

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
 * stored event (events stored before a bound existed may break it). Empty when the data is admissible.
 */
export function validateStoredEventData(type: string, data: unknown): ErrorShape[] {
  if (!isEventType(type)) return [{ code: 'EVENT.UNKNOWN_TYPE', message: `unknown event type`, field: 'type' }];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ code: 'FIELD.NOT_AN_OBJECT', message: 'data must be an object', field: 'data' }];
  }
  const dataClass: new () => object = DATA_CLASS_BY_TYPE[type];
  return toErrors(validateSync(asInstanceOf(dataClass, data as object)), 'data.');
}

/**
 * Lets class-validator see a plain object as an instance of a contract class without copying it through
 * class-transformer (no conversions are wanted: a string is never taken for a number).
 */
function asInstanceOf<T extends object>(cls: new () => T, plain: object): T {
  return Object.assign(Object.create(cls.prototype) as T, plain);
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
