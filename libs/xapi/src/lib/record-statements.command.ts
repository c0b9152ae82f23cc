import { Inject } from '@nestjs/common';
import { Command, CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@rework-ledger/event-store';
import { EventsStoredEvent } from '@rework-ledger/ingestion';
import { DataSource } from 'typeorm';
import { recordStatements, type RecordStatementsResult } from './record-statements';
import { bindTrainingLookups, TRAINING_LOOKUPS, type TrainingLookups } from './training-lookups.port';
import { XAPI_STATEMENT_STORE, type XapiStatementStore } from './xapi-statements.store';

/** Record these xAPI statements for the tenant: all of them, or none when any is invalid. */
export class RecordStatementsCommand extends Command<RecordStatementsResult> {
  constructor(
    readonly tenant: string,
    readonly rawStatements: readonly unknown[],
    /** When the LRS received them: the `stored` of each statement, and the timestamp of those without one. */
    readonly storedAt: Date,
  ) {
    super();
  }
}

@CommandHandler(RecordStatementsCommand)
export class RecordStatementsHandler implements ICommandHandler<RecordStatementsCommand, RecordStatementsResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(XAPI_STATEMENT_STORE) private readonly statements: XapiStatementStore,
    @Inject(TRAINING_LOOKUPS) private readonly lookups: TrainingLookups,
    private readonly dataSource: DataSource,
    private readonly eventBus: EventBus,
  ) {}

  async execute(command: RecordStatementsCommand): Promise<RecordStatementsResult> {
    const result = await recordStatements(
      { events: this.events, statements: this.statements, resolversFor: (tenant) => bindTrainingLookups(this.lookups, this.dataSource, tenant) },
      command.tenant,
      command.rawStatements,
      command.storedAt,
    );
    // After the append has committed, so that projection runners wake to events they can read.
    if (result.eventsStored > 0) this.eventBus.publish(new EventsStoredEvent(command.tenant, result.eventsStored));
    return result;
  }
}
