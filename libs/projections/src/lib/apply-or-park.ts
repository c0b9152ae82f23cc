import { decodeEvent } from '@rework-ledger/contracts';
import type { LedgerEvent } from '@rework-ledger/domain';
import type { EventBody, StoredEvent } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';
import { classifyApplyFailure } from './apply-failure';
import type { Projection } from './projection';

export type ParkReason = Readonly<{ code: string; message: string }>;
export type SetAside = Readonly<{ event: StoredEvent; reason: ParkReason }>;

/**
 * A stored event as a projection is handed it: decoded (its data checked and typed) when its type is one of contract
 * v1's; of a type the contract does not know, as stored (only a projection that handles every event is handed those).
 */
export type ProjectedEvent = StoredEvent<LedgerEvent> | StoredEvent;

/** A stored event checked against the contract: decoded, or set aside with why. */
export type CheckedEvent = Readonly<{ event: ProjectedEvent; violation?: undefined }> | Readonly<{ violation: ParkReason }>;

/** Event types the contract does not know: no rule to check them against, and no projection applies them. */
const UNKNOWN_TYPE = 'EVENT.UNKNOWN_TYPE';

/**
 * Decodes a stored event, once, against the contract's current rules: events stored before a bound existed break
 * them, and are set aside before they reach the SQL (the same check live and in a rebuild, so both park the same events).
 */
export function checkContract(event: StoredEvent): CheckedEvent {
  const decoding = decodeEvent(event);
  if (decoding.ok) return { event: decoding.event };
  const errors = decoding.errors.filter((error) => error.code !== UNKNOWN_TYPE);
  if (errors.length === 0) return { event };
  const [first] = errors;
  return { violation: { code: first.code, message: first.message } };
}

/** The reason a stored event breaks the contract's current rules, if it does (see {@link checkContract}). */
export function contractViolation(event: StoredEvent): ParkReason | undefined {
  return checkContract(event).violation;
}

/** The events of a batch checked against the contract: computed ahead (a rebuild checks its next batch meanwhile). */
export type CheckedBatch = ReadonlyMap<StoredEvent, CheckedEvent>;

/** Checks the events of a batch that `handled` selects (every event by default). */
export function checkBatch(events: readonly StoredEvent[], handled: (event: StoredEvent) => boolean = () => true): CheckedBatch {
  const checked = new Map<StoredEvent, CheckedEvent>();
  for (const event of events) if (handled(event)) checked.set(event, checkContract(event));
  return checked;
}

/**
 * The events of a batch a projection handles, decoded: what the runner hands its `apply`, typed for it. For callers
 * that apply a projection directly (tests, benchmarks), with events known to be valid: one that breaks the contract throws.
 */
export function decodeFor<E extends EventBody>(projection: Projection<E>, events: readonly StoredEvent[]): StoredEvent<E>[] {
  const handled = projection.handles === undefined ? undefined : new Set<string>(projection.handles);
  const decoded: ProjectedEvent[] = [];
  for (const event of events) {
    if (handled !== undefined && !handled.has(event.type)) continue;
    const check = checkContract(event);
    if (check.violation) throw new Error(`event ${event.id} of ${event.tenant} breaks the contract (${check.violation.code}): ${projection.name} would park it`);
    decoded.push(check.event);
  }
  // Of the types it handles (or every type, for a projection of untyped events), and decoded: the events of E.
  return decoded as StoredEvent<E>[];
}

/**
 * Applies a batch inside the caller's transaction and returns the events it set aside, in store order. Events are
 * decoded first ({@link checkContract}), and those that break the contract set aside; `apply` gets the decoded ones. Then the batch is applied under a savepoint; on a data fault (see
 * {@link classifyApplyFailure}) it is rolled back to the savepoint and bisected: each half is applied in turn, down to
 * the single events that fail, which are set aside while every other event is applied, in order. The result is the
 * same as applying the events one by one whatever the batch boundaries, so a rebuild sets aside what live did. Any
 * other failure (connection, deadlock, a restart) is thrown: the caller rolls back and retries the whole batch.
 */
export async function applyOrSetAside(
  client: PoolClient,
  events: readonly StoredEvent[],
  apply: (events: readonly ProjectedEvent[]) => Promise<void>,
  checked: CheckedBatch = checkBatch(events),
): Promise<SetAside[]> {
  const setAside: SetAside[] = [];
  const admissible: ProjectedEvent[] = [];
  for (const event of events) {
    const check = checked.get(event) ?? checkContract(event);
    if (check.violation) setAside.push({ event, reason: check.violation });
    else admissible.push(check.event);
  }

  const attempt = async (part: readonly ProjectedEvent[]): Promise<void> => {
    if (part.length === 0) return;
    await client.query('SAVEPOINT apply_or_set_aside');
    try {
      await apply(part);
      await client.query('RELEASE SAVEPOINT apply_or_set_aside');
      return;
    } catch (error) {
      const failure = classifyApplyFailure(error);
      if (failure.action === 'retry') throw error;
      await client.query('ROLLBACK TO SAVEPOINT apply_or_set_aside');
      await client.query('RELEASE SAVEPOINT apply_or_set_aside');
      if (part.length === 1) {
        setAside.push({ event: part[0], reason: { code: failure.code, message: failure.message } });
        return;
      }
    }
    const middle = Math.ceil(part.length / 2);
    await attempt(part.slice(0, middle));
    await attempt(part.slice(middle));
  };
  await attempt(admissible);

  const order = new Map(events.map((event, index) => [event, index]));
  return setAside.sort((a, b) => (order.get(a.event) ?? 0) - (order.get(b.event) ?? 0));
}
