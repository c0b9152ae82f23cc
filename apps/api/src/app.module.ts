import { type DynamicModule, Global, Inject, Injectable, Module } from '@nestjs/common';
import { CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@rework-ledger/event-store';
import { EventsStoredEvent, IngestionModule } from '@rework-ledger/ingestion';
import { MetricsApiModule } from '@rework-ledger/metrics-api';
import { createMetricsRegistry, DEMO_DATA_LOADER, DemoDataLoader, OperationsModule, PLATFORM_METRICS, type PlatformMetrics } from '@rework-ledger/operations';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { RuntimeModule, type RuntimeOptions } from '@rework-ledger/runtime';
import { DashboardController } from './dashboard.controller';

/** After an append has committed: count it, and wake this process's projection runners. */
@Injectable()
@EventsHandler(EventsStoredEvent)
class AfterEventsStored implements IEventHandler<EventsStoredEvent> {
  constructor(
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    @Inject(PLATFORM_METRICS) private readonly metrics: PlatformMetrics,
  ) {}

  handle(event: EventsStoredEvent): void {
    this.metrics.eventsIngested.inc({ transport: 'http', outcome: 'stored' }, event.count);
    for (const runner of this.runners) runner.wake();
  }
}

/** Process-wide services of the API app, visible to the feature modules. */
@Global()
@Module({
  providers: [
    { provide: PLATFORM_METRICS, useFactory: () => createMetricsRegistry() },
    {
      provide: DEMO_DATA_LOADER,
      inject: [EVENT_STORE, PROJECTION_RUNNERS],
      useFactory: (store: EventStore, runners: readonly ProjectionRunner[]) => new DemoDataLoader(store, () => runners.forEach((r) => r.wake())),
    },
  ],
  exports: [PLATFORM_METRICS, DEMO_DATA_LOADER],
})
class ApiServicesModule {}

/** The API process: HTTP ingestion, metrics queries, operations, the dashboard, and the projection runners. */
@Module({})
export class AppModule {
  static register(runtime: RuntimeOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot(runtime), ApiServicesModule, CqrsModule.forRoot(), IngestionModule, MetricsApiModule, OperationsModule],
      controllers: [DashboardController],
      providers: [AfterEventsStored],
    };
  }
}
