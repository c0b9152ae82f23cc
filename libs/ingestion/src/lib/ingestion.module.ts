import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventsController } from './events.controller';
import { IngestEventsHandler } from './ingest-events.command';

/** HTTP ingestion of CloudEvents: POST /v1/events. Needs EVENT_STORE and API_KEYS from the app. */
@Module({
  imports: [CqrsModule],
  controllers: [EventsController],
  providers: [IngestEventsHandler],
})
export class IngestionModule {}
