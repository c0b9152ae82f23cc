import { normaliseIdentifier } from '@rework-ledger/domain';
import { v5 as uuidv5 } from 'uuid';
import { COMPLETION_VERBS, type ValidStatement, type XapiActor } from './xapi-statement';

/** The CloudEvents `source` of every event made from a statement; the event `id` is the statement id. */
export const XAPI_EVENT_SOURCE = 'urn:rework-ledger:xapi';

/** The UUID v5 namespace of derived statement ids. Fixed forever: changing it would change every derived id. */
export const STATEMENT_ID_NAMESPACE = '75de1ed3-1416-438f-8f98-cf22f7615106';

/** Lookups in the training read model, bound to one tenant. */
export type TrainingResolvers = Readonly<{
  /** The course whose `activityIds` hold this activity IRI. */
  courseByActivityId(activityId: string): Promise<string | undefined>;
}>;

/** A statement as this LRS keeps it, and the event it becomes when it is a completion. */
export type MappedStatement = Readonly<{
  id: string;
  verb: string;
  /** The statement with `id`, `timestamp`, `stored` and `version` filled in as an LRS does. */
  record: Readonly<Record<string, unknown>>;
  /** The `training.completed` CloudEvent of a completion, still to be checked against the contract. */
  event?: Readonly<Record<string, unknown>>;
}>;

/** True for the verbs that become `training.completed`. */
export function isCompletion(statement: ValidStatement): boolean {
  return COMPLETION_VERBS.includes(statement.verbId);
}

/**
 * The statement's id: the one it carries (lower-cased), else the id derived from its content and, without a
 * timestamp, the time stored and its place in the request.
 */
export function statementIdOf(statement: ValidStatement, storedAt: Date, indexInRequest = 0): string {
  return statement.id !== undefined ? statement.id.toLowerCase() : derivedStatementId(statement, storedAt, indexInRequest);
}

/**
 * UUID v5 (namespace {@link STATEMENT_ID_NAMESPACE}) of the actor's identifier, the verb, the object and the
 * timestamp (normalised to UTC milliseconds), which is the time stored when the statement has none (PRODUCT.md: "a
 * missing timestamp takes the time stored"), with then its place in the request: the same statement with its
 * timestamp sent again gets the same id; one without a timestamp is another statement each time it is sent, in one
 * request or in two (an LRS cannot tell a retry from a new one; the ADL suite sends the same template many times,
 * voiding some, and two statements of one activity in one request to merge their definitions).
 */
export function derivedStatementId(statement: ValidStatement, storedAt: Date, indexInRequest = 0): string {
  const actor = statement.actor.account ? { account: { homePage: statement.actor.account.homePage, name: statement.actor.account.name } } : { mbox: statement.actor.mbox };
  const object = statement.object.id ?? canonicalJson(statement.raw['object']);
  const content = [actor, statement.verbId, statement.object.objectType, object];
  const name = statement.timestamp !== undefined ? [...content, new Date(statement.timestamp).toISOString()] : [...content, storedAt.toISOString(), indexInRequest];
  return uuidv5(JSON.stringify(name), STATEMENT_ID_NAMESPACE);
}

/**
 * The learner's identifier, normalised the one way (PRODUCT.md, "Identity"): `mbox` → the email (`mailto:` stripped,
 * lower case); `account` → `account.name`, normalised as an identifier of the system `account.homePage` (kept as
 * sent, lower case only when it is an email). No lookup here: the read models resolve it through
 * `employee.identity_linked` (a link `{system: <homePage>, externalId: <name>}`, or any link of the email), so a link
 * that arrives later re-attributes the completion, and an unlinked learner counts as their own person until then.
 */
export function learnerIdOf(actor: XapiActor): string {
  return actor.account ? normaliseIdentifier(actor.account.name, actor.account.homePage) : normaliseIdentifier(actor.mbox);
}

/**
 * Maps a valid statement, stored at `storedAt`, to what the LRS keeps and, for a completion, to a `training.completed`
 * event: id = the statement id, time = the statement's timestamp (else the time stored), the course found by activity
 * (else the activity IRI is the courseId), the employee id = the learner's identifier ({@link learnerIdOf}), score =
 * result.score.scaled when 0..1. Other verbs are kept and make no event.
 */
export async function mapStatement(statement: ValidStatement, storedAt: Date, resolvers: TrainingResolvers, indexInRequest = 0): Promise<MappedStatement> {
  const id = statementIdOf(statement, storedAt, indexInRequest);
  const stored = storedAt.toISOString();
  const time = statement.timestamp ?? stored;
  const record = { ...statement.raw, id, timestamp: time, stored, version: statement.raw['version'] ?? '1.0.0' };
  if (!isCompletion(statement)) return { id, verb: statement.verbId, record };

  const activityId = statement.object.id as string;
  const courseId = await resolvers.courseByActivityId(activityId);
  const score = statement.scaledScore !== undefined && statement.scaledScore >= 0 ? { score: statement.scaledScore } : {};
  const event = {
    specversion: '1.0',
    id,
    source: XAPI_EVENT_SOURCE,
    type: 'training.completed',
    time,
    data: { employeeId: learnerIdOf(statement.actor), courseId: courseId ?? activityId, activityId, ...score },
  };
  return { id, verb: statement.verbId, record, event };
}

/** JSON with object keys sorted, so that equal values give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
