import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@rework-ledger/event-store';
import { EVENT_LOG, EventsQueuedEvent, EventsStoredEvent, IngestionModule } from '@rework-ledger/ingestion';
import { createKafkaClient, createKafkaEventLog, ensureTopics, type KafkaEventLog } from '@rework-ledger/kafka-client';
import { ingestTopics } from '@rework-ledger/kafka-ingest';
import { MetricsApiModule } from '@rework-ledger/metrics-api';
import { createMetricsRegistry, DEMO_DATA_LOADER, DemoDataLoader, METRICS_TOKEN, OperationsModule, PLATFORM_METRICS, type PlatformMetrics } from '@rework-ledger/operations';
import { CONNECTOR_RECORD_COUNTER, type ConnectorRecordCounter, OtlpModule } from '@rework-ledger/otlp';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { CONFIG_DEFAULTS, type HttpTimeouts, type KafkaConfig, type RateLimits } from '@rework-ledger/platform';
import { RuntimeModule, type RuntimeOptions } from '@rework-ledger/runtime';
import { TrainingApiModule } from '@rework-ledger/training-api';
import { courseByActivityId } from '@rework-ledger/read-models';
import { XapiModule } from '@rework-ledger/xapi';
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

/** After HTTP ingestion wrote events to Kafka: count them (the ingestor stores them, the runners see them by polling). */
@Injectable()
@EventsHandler(EventsQueuedEvent)
class AfterEventsQueued implements IEventHandler<EventsQueuedEvent> {
  constructor(@Inject(PLATFORM_METRICS) private readonly metrics: PlatformMetrics) {}

  handle(event: EventsQueuedEvent): void {
    this.metrics.eventsIngested.inc({ transport: 'http', outcome: 'queued' }, event.count);
  }
}

/** HTTP through the log: POST /v1/events produces to the telemetry topic (created when missing) instead of storing. */
@Global()
@Module({})
class KafkaEventLogModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_LOG) private readonly log: KafkaEventLog) {}

  static forRoot(kafka: KafkaConfig): DynamicModule {
    return {
      module: KafkaEventLogModule,
      providers: [
        {
          provide: EVENT_LOG,
          useFactory: async () => {
            const client = createKafkaClient(kafka, { logger: new Logger('kafkajs') });
            await ensureTopics(client, ingestTopics(kafka));
            const log = createKafkaEventLog({ kafka: client, topic: kafka.telemetryTopic, ...(kafka.tenant ? { boundTenant: kafka.tenant } : {}) });
            await log.connect();
            return log;
          },
        },
      ],
      exports: [EVENT_LOG],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.log.close();
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
    {
      provide: CONNECTOR_RECORD_COUNTER,
      inject: [PLATFORM_METRICS],
      useFactory: (metrics: PlatformMetrics): ConnectorRecordCounter => (labels, count) => metrics.connectorRecords.inc(labels, count),
    },
  ],
  exports: [PLATFORM_METRICS, DEMO_DATA_LOADER, CONNECTOR_RECORD_COUNTER],
})
class ApiServicesModule {}

/** The token GET /metrics requires, when one is configured. */
@Global()
@Module({})
class MetricsTokenModule {
  static forRoot(token: string | undefined): DynamicModule {
    return { module: MetricsTokenModule, providers: [{ provide: METRICS_TOKEN, useValue: token ? { token } : {} }], exports: [METRICS_TOKEN] };
  }
}

/**
 * How the API ingests (with `kafka`, POST /v1/events writes to the telemetry topic; without, to the event store), and
 * its HTTP settings: server timeouts, rate limits, the token of /metrics. Absent: the configuration's defaults.
 */
export type ApiOptions = Readonly<{
  kafka?: KafkaConfig;
  timeouts?: HttpTimeouts;
  rateLimits?: RateLimits;
  metricsToken?: string;
  /** The OTLP/gRPC receiver's address (OTLP_GRPC_PORT on HOST); absent: none. */
  otlpGrpc?: Readonly<{ host: string; port: number }>;
}>;

/** The API process: HTTP ingestion (CloudEvents, xAPI, OTLP), metrics queries, operations, the dashboard, and the projection runners. */
@Module({})
export class AppModule {
  static register(runtime: RuntimeOptions, options: ApiOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.forRoot(runtime),
        DiscoveryModule,
        ApiServicesModule,
        MetricsTokenModule.forRoot(options.metricsToken),
        ...(options.kafka ? [KafkaEventLogModule.forRoot(options.kafka)] : []),
        CqrsModule.forRoot(),
        IngestionModule,
        XapiModule.register({ courseByActivityId }),
        OtlpModule.register(
          options.otlpGrpc ? { grpc: { ...options.otlpGrpc, callsPerMinute: options.rateLimits?.ingestPerMinute ?? CONFIG_DEFAULTS.RATE_LIMIT_INGEST_PER_MINUTE } } : {},
        ),
        MetricsApiModule,
        TrainingApiModule,
        OperationsModule,
      ],
      controllers: [DashboardController],
      providers: [AfterEventsStored, AfterEventsQueued],
    };
  }
}
