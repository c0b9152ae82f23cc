import { Command, CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@rework-ledger/event-store';
import { ingestEvents, type IngestResult } from '../core';

/** Store these raw CloudEvents for the tenant: validate each, append the valid ones, report the rest. */
export class IngestEventsCommand extends Command<IngestResult> {
  constructor(
    readonly tenant: string,
    readonly rawEvents: readonly unknown[],
  ) {
    super();
  }
}

/** Published on the CQRS event bus only after the append has committed. */
export class EventsStoredEvent {
  constructor(
    readonly tenant: string,
    readonly count: number,
  ) {}
}

@CommandHandler(IngestEventsCommand)
export class IngestEventsHandler implements ICommandHandler<IngestEventsCommand, IngestResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly eventBus: EventBus,
  ) {}

  async execute(command: IngestEventsCommand): Promise<IngestResult> {
    const result = await ingestEvents(this.store, command.tenant, command.rawEvents);
    if (result.accepted > 0) this.eventBus.publish(new EventsStoredEvent(command.tenant, result.accepted));
    return result;
  }
}
