import { Inject, Logger, Optional } from '@nestjs/common';
import { Command, CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@rework-ledger/event-store';
import { EventsStoredEvent } from '@rework-ledger/ingestion';
import { TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { CONNECTOR_RECORDS_STORE, type ConnectorRecordsStore } from './connector-records.store';
import type { OtlpSignal } from './otlp-proto';
import { type OtlpReceipt, receiveOtlp } from './receive-otlp';

/** The connector name of OTLP in counts and tallies. */
export const OTLP_CONNECTOR = 'otlp';

/** Counts records a connector ignored or rejected, platform-wide (a Prometheus counter, provided by the app). */
export type ConnectorRecordCounter = (labels: Readonly<{ connector: string; signal: string; outcome: string; reason: string }>, count: number) => void;
export const CONNECTOR_RECORD_COUNTER = Symbol('ConnectorRecordCounter');

/** Map and store the records of one OTLP export request (decoded) for the tenant. */
export class ReceiveOtlpCommand extends Command<OtlpReceipt> {
  constructor(
    readonly tenant: string,
    readonly signal: OtlpSignal,
    readonly request: Record<string, unknown>,
  ) {
    super();
  }
}

@CommandHandler(ReceiveOtlpCommand)
export class ReceiveOtlpHandler implements ICommandHandler<ReceiveOtlpCommand, OtlpReceipt> {
  private readonly logger = new Logger('otlp');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONNECTOR_RECORDS_STORE) private readonly tallies: ConnectorRecordsStore,
    @Inject(TENANT_SETTINGS) private readonly settings: TenantSettingsStore,
    private readonly eventBus: EventBus,
    @Optional() @Inject(CONNECTOR_RECORD_COUNTER) private readonly counter?: ConnectorRecordCounter,
  ) {}

  async execute({ tenant, signal, request }: ReceiveOtlpCommand): Promise<OtlpReceipt> {
    const { otlpOutputOperations, discardMinutes } = await this.settings.get(tenant);
    const receipt = await receiveOtlp(this.store, tenant, signal, request, { outputOperations: otlpOutputOperations, discardMinutes });
    // After the append has committed, so that projection runners wake to events they can read.
    if (receipt.stored > 0) this.eventBus.publish(new EventsStoredEvent(tenant, receipt.stored));
    const lines = receipt.tally.map((line) => ({ connector: OTLP_CONNECTOR, signal, ...line }));
    for (const { count, ...labels } of lines) this.counter?.(labels, count);
    // The events are stored: a failure to count must not make the exporter send them again.
    await this.tallies.add(tenant, lines, new Date()).catch((error: unknown) => this.logger.warn(`could not count ignored/rejected OTLP records: ${(error as Error).message}`));
    return receipt;
  }
}
