import type { ValidEvent } from '@rework-ledger/contracts';

/**
 * The log HTTP ingestion writes to when the platform ingests through Kafka: validated events go in, and the ingestor
 * stores them (once, however often they are delivered). Absent, HTTP ingestion writes to the event store directly.
 */
export interface EventLog {
  /** When set, the log accepts this tenant's events only (KAFKA_TENANT). */
  readonly boundTenant?: string;
  /** Appends a tenant's validated events; resolves once the log has durably acknowledged all of them. */
  publish(tenant: string, events: readonly ValidEvent[]): Promise<void>;
}

/** Dependency-injection token of the {@link EventLog}; provided by the app only when Kafka is configured. */
export const EVENT_LOG = Symbol('EventLog');
