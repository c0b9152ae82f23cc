import { Inject, Logger, Optional } from '@nestjs/common';
import { Command, CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerError } from '@rework-ledger/domain';
import { type Rejection, validateEvents } from '../core';
import { EVENT_LOG, type EventLog } from './event-log.port';

/** What POST /v1/events answers when it writes through the log: duplicates are resolved downstream, not here. */
export type QueueResult = Readonly<{
  /** Valid events the log acknowledged; each is stored once by the ingestor, whether new or a repeat. */
  queued: number;
  rejected: readonly Rejection[];
}>;

/** Validate these raw CloudEvents of the tenant and append the valid ones to the event log. */
export class QueueEventsCommand extends Command<QueueResult> {
  constructor(
    readonly tenant: string,
    readonly rawEvents: readonly unknown[],
  ) {
    super();
  }
}

/** Published on the CQRS event bus once the log has acknowledged the events. */
export class EventsQueuedEvent {
  constructor(
    readonly tenant: string,
    readonly count: number,
  ) {}
}

/** The event log did not acknowledge the events: nothing is known to be stored, and the caller may retry (503). */
export class EventLogUnavailableError extends LedgerError {
  constructor(cause: unknown) {
    super('INGESTION.LOG_UNAVAILABLE', `the event log did not acknowledge the events; retry the request (${(cause as Error)?.message ?? String(cause)})`, undefined, true);
  }
}

@CommandHandler(QueueEventsCommand)
export class QueueEventsHandler implements ICommandHandler<QueueEventsCommand, QueueResult> {
  private readonly logger = new Logger('ingestion');

  constructor(
    private readonly eventBus: EventBus,
    @Optional() @Inject(EVENT_LOG) private readonly log?: EventLog,
  ) {}

  async execute(command: QueueEventsCommand): Promise<QueueResult> {
    if (!this.log) throw new LedgerError('INGESTION.NO_EVENT_LOG', 'no event log is configured (KAFKA_BROKERS)');
    const bound = this.log.boundTenant;
    if (bound !== undefined && command.tenant !== bound) {
      const error = { code: 'EVENT.TENANT_MISMATCH', message: `this deployment ingests tenant ${bound} only (KAFKA_TENANT)`, field: 'tenant' };
      return { queued: 0, rejected: command.rawEvents.map((raw, index) => ({ index, ...idOf(raw), errors: [error] })) };
    }
    const { valid, rejected } = validateEvents(command.rawEvents, { fromCredentials: command.tenant });
    if (valid.length > 0) {
      try {
        await this.log.publish(command.tenant, valid.map((entry) => entry.event));
      } catch (error) {
        this.logger.warn(`publishing ${valid.length} events of ${command.tenant} failed: ${(error as Error).message ?? String(error)}`);
        throw new EventLogUnavailableError(error);
      }
      this.eventBus.publish(new EventsQueuedEvent(command.tenant, valid.length));
    }
    return { queued: valid.length, rejected };
  }
}

function idOf(raw: unknown): { id?: string } {
  const id = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['id'] : undefined;
  return typeof id === 'string' ? { id } : {};
}
