import { validateStoredEventData } from '@rework-ledger/contracts';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';
import { classifyApplyFailure } from './apply-failure';

export type ParkReason = Readonly<{ code: string; message: string }>;
export type SetAside = Readonly<{ event: StoredEvent; reason: ParkReason }>;

/** Event types the contract does not know: no rule to check them against, and no projection applies them. */
const UNKNOWN_TYPE = 'EVENT.UNKNOWN_TYPE';

/**
 * The reason a stored event breaks the contract's current rules, if it does: events stored before a bound existed
 * are set aside before they reach the SQL (the same check live and in a rebuild, so both park the same events).
 */
export function contractViolation(event: StoredEvent): ParkReason | undefined {
  const errors = validateStoredEventData(event.type, event.data).filter((error) => error.code !== UNKNOWN_TYPE);
  if (errors.length === 0) return undefined;
  const [first] = errors;
  return { code: first.code, message: first.message };
}

/** The events of a batch that break the contract, with why: computed ahead (a rebuild checks its next batch meanwhile). */
export type ContractViolations = ReadonlyMap<StoredEvent, ParkReason>;

export function contractViolations(events: readonly StoredEvent[], handled: (event: StoredEvent) => boolean = () => true): ContractViolations {
  const violations = new Map<StoredEvent, ParkReason>();
  for (const event of events) {
    if (!handled(event)) continue;
    const violation = contractViolation(event);
    if (violation) violations.set(event, violation);
  }
  return violations;
}

/**
 * Applies a batch inside the caller's transaction and returns the events it set aside, in store order. Events that
 * break the contract are set aside first. Then the batch is applied under a savepoint; on a data fault (see
 * {@link classifyApplyFailure}) it is rolled back to the savepoint and bisected: each half is applied in turn, down to
 * the single events that fail, which are set aside while every other event is applied, in order. The result is the
 * same as applying the events one by one whatever the batch boundaries, so a rebuild sets aside what live did. Any
 * other failure (connection, deadlock, a restart) is thrown: the caller rolls back and retries the whole batch.
 */
export async function applyOrSetAside(
  client: PoolClient,
  events: readonly StoredEvent[],
  apply: (events: readonly StoredEvent[]) => Promise<void>,
  violations: ContractViolations = contractViolations(events),
): Promise<SetAside[]> {
  const setAside: SetAside[] = [];
  const admissible: StoredEvent[] = [];
  for (const event of events) {
    const violation = violations.get(event);
    if (violation) setAside.push({ event, reason: violation });
    else admissible.push(event);
  }

  const attempt = async (part: readonly StoredEvent[]): Promise<void> => {
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
