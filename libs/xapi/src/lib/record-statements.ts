import { validateEvent, type ValidEvent } from '@rework-ledger/contracts';
import type { ErrorShape } from '@rework-ledger/domain';
import type { EventStore } from '@rework-ledger/event-store';
import { storeValidEvents } from '@rework-ledger/ingestion/core';
import { v5 as uuidv5 } from 'uuid';
import { mapStatement, type MappedStatement, STATEMENT_ID_NAMESPACE, type TrainingResolvers, XAPI_EVENT_SOURCE } from './statement-mapping';
import { type StatementError, XapiBatchRejectedError } from './xapi.errors';
import { validateStatement } from './xapi-statement';
import { type StoredStatement, VOIDED_VERB, type XapiStatementStore } from './xapi-statements.store';

export type RecordStatementsDeps = Readonly<{
  events: EventStore;
  statements: XapiStatementStore;
  /** Lookups in the training read model for one tenant (the course of an activity; learners are not looked up). */
  resolversFor(tenant: string): TrainingResolvers;
}>;

export type RecordStatementsResult = Readonly<{
  /** The statement ids, in the order of the request (given or derived). */
  ids: readonly string[];
  /** `training.completed` (and, for a voided completion, `training.completion_retracted`) events newly stored. */
  eventsStored: number;
}>;

// A field of the produced event and the statement field it came from, so a contract error names what the caller sent.
const STATEMENT_FIELD_OF: Record<string, string> = {
  id: 'id',
  time: 'timestamp',
  'data.employeeId': 'actor',
  'data.courseId': 'object.id',
  'data.activityId': 'object.id',
  'data.score': 'result.score.scaled',
};

/**
 * Records a request's statements for one tenant, LRS style: every statement is validated, resolved and its event
 * checked against the contract before anything is stored; any invalid statement rejects the whole batch with every
 * reason ({@link XapiBatchRejectedError}). Then the statements are kept (an id already stored keeps its first
 * statement) and the completions appended to the event store, where the statement id makes a repeat a duplicate. A
 * voiding statement whose target is a completion also appends `training.completion_retracted` (see {@link retractionOf}).
 */
export async function recordStatements(deps: RecordStatementsDeps, tenant: string, rawStatements: readonly unknown[], storedAt: Date): Promise<RecordStatementsResult> {
  const errors: StatementError[] = [];
  const resolvers = memoized(deps.resolversFor(tenant));
  const firstIndexOfId = new Map<string, number>();

  const mapped = await Promise.all(
    rawStatements.map(async (raw, index): Promise<{ statement: MappedStatement; event?: ValidEvent } | undefined> => {
      const validation = validateStatement(raw);
      if (!validation.ok) {
        errors.push(...validation.errors.map((error) => ({ index, ...error })));
        return undefined;
      }
      const explicitId = validation.statement.id?.toLowerCase();
      if (explicitId !== undefined) {
        const first = firstIndexOfId.get(explicitId);
        if (first !== undefined) errors.push({ index, code: 'XAPI.DUPLICATE_ID', message: `statement ${first} of this batch has the same id`, field: 'id' });
        else firstIndexOfId.set(explicitId, index);
      }
      const statement = await mapStatement(validation.statement, storedAt, resolvers, index);
      if (!statement.event) return { statement };
      const checked = validateEvent(statement.event, { fromCredentials: tenant });
      if (!checked.ok) {
        errors.push(...checked.errors.map((error) => ({ index, ...contractError(error) })));
        return { statement };
      }
      return { statement, event: checked.event };
    }),
  );
  if (errors.length > 0) throw new XapiBatchRejectedError(sortByIndex(errors), rawStatements.length);

  const accepted = mapped.filter((entry): entry is NonNullable<typeof entry> => entry !== undefined);
  const firstOfId = new Map<string, { statement: MappedStatement; event?: ValidEvent }>();
  for (const entry of accepted) if (!firstOfId.has(entry.statement.id)) firstOfId.set(entry.statement.id, entry);
  const records = [...firstOfId.values()].map(({ statement }) => ({ id: statement.id, verb: statement.verb, statement: statement.record, storedAt }));
  // Statements first: should the append then fail, a retry of the request (same ids) appends the events.
  const earlier = await deps.statements.save(tenant, records);
  const events: ValidEvent[] = [];
  for (const [id, { event }] of firstOfId) {
    const kept = earlier.get(id);
    // A statement id already stored keeps its first statement: its event (if any) comes from that one.
    const eventToStore = kept ? await eventOfStoredStatement(kept, tenant, resolvers) : event;
    if (eventToStore) events.push(eventToStore);
    const statement = kept?.statement ?? firstOfId.get(id)?.statement.record;
    if ((kept?.verb ?? firstOfId.get(id)?.statement.verb) === VOIDED_VERB && statement) {
      const retraction = await retractionOf(deps.statements, tenant, id, statement, resolvers);
      if (retraction) events.push(retraction);
    }
  }
  const { stored } = await storeValidEvents(deps.events, events);
  return { ids: accepted.map(({ statement }) => statement.id), eventsStored: stored };
}

/** The event of a statement as the LRS stored it earlier (re-appending it is a no-op unless an earlier append failed). */
async function eventOfStoredStatement(stored: StoredStatement, tenant: string, resolvers: TrainingResolvers): Promise<ValidEvent | undefined> {
  const validation = validateStatement(stored.statement);
  if (!validation.ok) return undefined;
  const { event } = await mapStatement(validation.statement, stored.storedAt, resolvers);
  if (!event) return undefined;
  const checked = validateEvent(event, { fromCredentials: tenant });
  return checked.ok ? checked.event : undefined;
}

/**
 * What a voiding statement (`voidingId`) retracts: when the statement it voids is a completion, the contract's
 * `training.completion_retracted` of that learner and course, timed just after the voided completion (the contract
 * withdraws the learner's completions of the course before the retraction's time, so the next one, if any, stands). Its
 * id derives from the voiding statement's, so a retry is a duplicate.
 */
async function retractionOf(store: XapiStatementStore, tenant: string, voidingId: string, voiding: Record<string, unknown>, resolvers: TrainingResolvers): Promise<ValidEvent | undefined> {
  const targetId = (voiding['object'] as { id?: unknown } | undefined)?.id;
  if (typeof targetId !== 'string') return undefined;
  const target = await store.find(tenant, targetId.toLowerCase());
  if (!target || target.verb === VOIDED_VERB) return undefined;
  const completion = await eventOfStoredStatement(target, tenant, resolvers);
  if (!completion || completion.type !== 'training.completed') return undefined;
  const { employeeId, courseId } = completion.data as { employeeId: string; courseId: string };
  const checked = validateEvent(
    {
      specversion: '1.0',
      id: uuidv5(`training.completion_retracted/${voidingId}`, STATEMENT_ID_NAMESPACE),
      source: XAPI_EVENT_SOURCE,
      type: 'training.completion_retracted',
      time: new Date(completion.time.getTime() + 1).toISOString(),
      data: { employeeId, courseId },
    },
    { fromCredentials: tenant },
  );
  return checked.ok ? checked.event : undefined;
}

/** A contract error of the produced event, named after the statement field it came from. */
function contractError(error: ErrorShape): ErrorShape {
  const field = error.field !== undefined ? (STATEMENT_FIELD_OF[error.field] ?? error.field) : undefined;
  return { code: error.code, message: `as training.completed: ${error.message}`, ...(field !== undefined ? { field } : {}) };
}

/** By statement; a statement's reasons stay in the order found (the sort is stable). */
function sortByIndex(errors: StatementError[]): StatementError[] {
  return [...errors].sort((a, b) => a.index - b.index);
}

/** Each lookup asked once per request: a batch often repeats the same course. */
function memoized(resolvers: TrainingResolvers): TrainingResolvers {
  const courses = new Map<string, Promise<string | undefined>>();
  return {
    courseByActivityId(activityId) {
      if (!courses.has(activityId)) courses.set(activityId, resolvers.courseByActivityId(activityId));
      return courses.get(activityId) as Promise<string | undefined>;
    },
  };
}
