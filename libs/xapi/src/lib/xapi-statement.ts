import { inspectStructure, MAX_IRI_LENGTH } from '@rework-ledger/contracts';
import type { ErrorShape } from '@rework-ledger/domain';
import {
  Equals,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsRFC3339,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  type ValidationError,
  validateSync,
} from 'class-validator';

/** The verbs that make a statement a `training.completed` event (PRODUCT.md, "xAPI"). */
export const COMPLETION_VERBS: readonly string[] = ['http://adlnet.gov/expapi/verbs/completed', 'https://w3id.org/xapi/adl/verbs/satisfied'];

/** An xAPI account: the system (`homePage`) and the person's name in it. */
export type XapiAccount = Readonly<{ homePage: string; name: string }>;

/** The actor of a statement, identified by exactly one of `mbox` or `account` (the identifiers this LRS resolves). */
export type XapiActor = Readonly<{ mbox: string; account?: undefined } | { mbox?: undefined; account: XapiAccount }>;

/** A statement that passed validation: the fields ingestion reads, and the statement itself as received. */
export type ValidStatement = Readonly<{
  id?: string;
  actor: XapiActor;
  verbId: string;
  object: Readonly<{ objectType: string; id?: string }>;
  timestamp?: string;
  /** `result.score.scaled` when given (−1..1). */
  scaledScore?: number;
  raw: Readonly<Record<string, unknown>>;
}>;

export type StatementValidation = { ok: true; statement: ValidStatement } | { ok: false; errors: ErrorShape[] };

// scheme ":" something, no whitespace: what an IRI looks like without resolving it (RFC 3987, loosely).
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const MAILTO = /^mailto:[^\s@]+@[^\s@]+$/;
const FINITE = { allowNaN: false, allowInfinity: false } as const;
const code = (value: string) => ({ context: { code: value } });

/** An IRI of at most 2048 characters. */
function Iri(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Matches(IRI, { message: `${String(key)} must be an IRI`, ...code('FIELD.NOT_AN_IRI') })(target, key);
    MaxLength(MAX_IRI_LENGTH)(target, key);
  };
}

class StatementShape {
  @IsOptional() @IsUUID('all', { message: 'id must be a UUID', ...code('FIELD.NOT_A_UUID') }) id?: string;
  @IsDefined() @IsObject() actor: object;
  @IsDefined() @IsObject() verb: object;
  @IsDefined() @IsObject() object: object;
  @IsOptional() @IsRFC3339({ message: 'timestamp must be an RFC 3339 timestamp' }) timestamp?: string;
  @IsOptional() @IsObject() result?: object;
}

class AgentShape {
  @IsOptional() @IsIn(['Agent'], { message: 'objectType must be "Agent" (groups are not supported)', ...code('XAPI.UNSUPPORTED_ACTOR') }) objectType?: string;
  @IsOptional() @Matches(MAILTO, { message: 'mbox must be a mailto: IRI', ...code('FIELD.NOT_A_MAILTO') }) @MaxLength(MAX_IRI_LENGTH) mbox?: string;
  @IsOptional() @IsObject() account?: object;
}

class AccountShape {
  @IsDefined() @Iri() homePage: string;
  @IsDefined() @IsString() @IsNotEmpty() name: string;
}

class VerbShape {
  @IsDefined() @Iri() id: string;
}

class ActivityShape {
  @IsDefined() @Iri() id: string;
}

class StatementRefShape {
  @Equals('StatementRef') objectType: string;
  @IsDefined() @IsUUID('all', { message: 'id must be a UUID', ...code('FIELD.NOT_A_UUID') }) id: string;
}

class ResultShape {
  @IsOptional() @IsObject() score?: object;
}

class ScoreShape {
  @IsOptional() @IsNumber(FINITE) @Min(-1) @Max(1) scaled?: number;
}

const OBJECT_TYPES = ['Activity', 'StatementRef', 'Agent', 'Group', 'SubStatement'];

/**
 * Validates one xAPI 1.0.3 statement as far as this LRS reads it: an Agent actor with `mbox` or `account`, `verb.id`
 * an IRI, an Activity's `object.id` an IRI (a StatementRef's a UUID), `timestamp` RFC 3339 and `id` a UUID when
 * present, `result.score.scaled` within −1..1. A completion verb needs an Activity object. Returns every reason.
 */
export function validateStatement(raw: unknown): StatementValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ code: 'XAPI.NOT_A_STATEMENT', message: 'a statement must be a JSON object' }] };
  }
  const candidate = raw as Record<string, unknown>;
  const errors = check(StatementShape, candidate, '');
  const timestamp = candidate['timestamp'];
  if (typeof timestamp === 'string' && !errors.some((e) => e.field === 'timestamp') && Number.isNaN(Date.parse(timestamp))) {
    errors.push({ code: 'FIELD.NOT_RFC3339', message: 'timestamp must be a valid RFC 3339 timestamp', field: 'timestamp' });
  }

  const actor = asRecord(candidate['actor']);
  const verb = asRecord(candidate['verb']);
  if (verb) errors.push(...check(VerbShape, verb, 'verb.'));
  const completion = typeof verb?.['id'] === 'string' && COMPLETION_VERBS.includes(verb['id']);
  // A completion needs a person this LRS can resolve; any other statement's actor is the xAPI rules' (the controller's).
  if (actor && completion) errors.push(...checkActor(actor));

  const object = asRecord(candidate['object']);
  const objectType = object ? (object['objectType'] ?? 'Activity') : undefined;
  if (object) {
    if (objectType === 'Activity') errors.push(...check(ActivityShape, object, 'object.'));
    else if (objectType === 'StatementRef') errors.push(...check(StatementRefShape, object, 'object.'));
    else if (!OBJECT_TYPES.includes(String(objectType))) {
      errors.push({ code: 'FIELD.NOT_ALLOWED', message: `object.objectType must be one of ${OBJECT_TYPES.join(', ')}`, field: 'object.objectType' });
    }
  }
  const verbId = verb?.['id'];
  if (typeof verbId === 'string' && COMPLETION_VERBS.includes(verbId) && object && objectType !== 'Activity') {
    errors.push({ code: 'XAPI.NOT_AN_ACTIVITY', message: 'the object of a completion must be an Activity', field: 'object.objectType' });
  }

  const result = asRecord(candidate['result']);
  if (result) errors.push(...check(ResultShape, result, 'result.'));
  const score = asRecord(result?.['score']);
  if (score) errors.push(...check(ScoreShape, score, 'result.score.'));
  // What every event obeys (issue 14): the statement is stored as it is (jsonb), so no NUL, lone surrogate, reserved
  // property name or nesting beyond the limit anywhere in it — a 400 for the batch, never a 500.
  errors.push(...inspectStructure(candidate));

  if (errors.length > 0) return { ok: false, errors };
  const scaled = score?.['scaled'];
  return {
    ok: true,
    statement: {
      ...(typeof candidate['id'] === 'string' ? { id: candidate['id'] } : {}),
      actor: actorOf(actor ?? {}),
      verbId: verbId as string,
      object: { objectType: String(objectType), ...(typeof object?.['id'] === 'string' ? { id: object['id'] } : {}) },
      ...(typeof timestamp === 'string' ? { timestamp } : {}),
      ...(typeof scaled === 'number' ? { scaledScore: scaled } : {}),
      raw: candidate,
    },
  };
}

/** Where the identifier of an actor that is neither an mbox nor an account (openid, mbox_sha1sum, a group) is kept. */
export const OTHER_ACTOR_HOME_PAGE = 'urn:rework-ledger:xapi:actor';

/**
 * The actor as the mapping reads it: its `account` or `mbox`; any other actor (only a statement that is no completion
 * has one) as an account of {@link OTHER_ACTOR_HOME_PAGE} named by the actor's identifying JSON, so that a derived
 * statement id still depends on who the actor is.
 */
function actorOf(actor: Record<string, unknown>): XapiActor {
  const account = asRecord(actor['account']);
  if (account && typeof account['homePage'] === 'string' && typeof account['name'] === 'string') return { account: { homePage: account['homePage'], name: account['name'] } };
  if (typeof actor['mbox'] === 'string') return { mbox: actor['mbox'] };
  const identifying = Object.fromEntries(['objectType', 'mbox_sha1sum', 'openid', 'member'].filter((name) => actor[name] !== undefined).map((name) => [name, actor[name]]));
  return { account: { homePage: OTHER_ACTOR_HOME_PAGE, name: JSON.stringify(identifying) } };
}

/** An Agent has exactly one identifier; this LRS resolves people by `mbox` or `account`. */
function checkActor(actor: Record<string, unknown>): ErrorShape[] {
  const errors = check(AgentShape, actor, 'actor.');
  const identifiers = ['mbox', 'mbox_sha1sum', 'openid', 'account'].filter((name) => actor[name] !== undefined && actor[name] !== null);
  if (identifiers.length > 1) {
    errors.push({ code: 'XAPI.AMBIGUOUS_ACTOR', message: `an Agent has exactly one identifier; this one has ${identifiers.join(', ')}`, field: 'actor' });
  } else if (identifiers.length === 0 || (!identifiers.includes('mbox') && !identifiers.includes('account'))) {
    errors.push({ code: 'XAPI.UNSUPPORTED_ACTOR', message: 'the actor must be identified by mbox or account', field: 'actor' });
  }
  const account = asRecord(actor['account']);
  if (account) errors.push(...check(AccountShape, account, 'actor.account.'));
  return errors;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

// Which constraint speaks for a field that breaks several: its type first, then emptiness, then its form.
const CONSTRAINTS: Record<string, { code: string; rank: number }> = {
  isString: { code: 'FIELD.NOT_A_STRING', rank: 1 },
  isNumber: { code: 'FIELD.NOT_A_FINITE_NUMBER', rank: 1 },
  isObject: { code: 'FIELD.NOT_AN_OBJECT', rank: 1 },
  isNotEmpty: { code: 'FIELD.EMPTY', rank: 2 },
  maxLength: { code: 'FIELD.TOO_LONG', rank: 3 },
  min: { code: 'FIELD.OUT_OF_RANGE', rank: 3 },
  max: { code: 'FIELD.OUT_OF_RANGE', rank: 3 },
  isRFC3339: { code: 'FIELD.NOT_RFC3339', rank: 3 },
  isIn: { code: 'FIELD.NOT_ALLOWED', rank: 3 },
  equals: { code: 'FIELD.NOT_ALLOWED', rank: 3 },
};

/** Validates a plain object against a shape class (no class-transformer copy, no conversions) into error shapes. */
function check(shape: new () => object, plain: object, prefix: string): ErrorShape[] {
  const instance = Object.assign(Object.create(shape.prototype) as object, plain);
  return validateSync(instance).map((error: ValidationError) => {
    const field = `${prefix}${error.property}`;
    const constraints = error.constraints ?? {};
    if (error.value === undefined || error.value === null) return { code: 'FIELD.REQUIRED', message: `${field} is required`, field };
    const chosen = Object.keys(constraints).sort((a, b) => (CONSTRAINTS[a]?.rank ?? 9) - (CONSTRAINTS[b]?.rank ?? 9))[0];
    const contextCode = (error.contexts?.[chosen] as { code?: string } | undefined)?.code;
    return { code: contextCode ?? CONSTRAINTS[chosen]?.code ?? 'FIELD.INVALID', message: `${prefix}${constraints[chosen]}`, field };
  });
}
