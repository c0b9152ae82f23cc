import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventsController } from './events.controller';
import { IngestEventsHandler } from './ingest-events.command';
import { QueueEventsHandler } from './queue-events.command';

/**
 * HTTP ingestion of CloudEvents: POST /v1/events. Needs EVENT_STORE and API_KEYS from the app, and EVENT_LOG when
 * the platform ingests through Kafka (then the events go to the log, not to the store).
 */
@Module({
  imports: [CqrsModule],
  controllers: [EventsController],
  providers: [IngestEventsHandler, QueueEventsHandler],
})
export class IngestionModule {}
