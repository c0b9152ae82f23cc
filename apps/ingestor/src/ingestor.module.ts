import { Controller, type DynamicModule, Get, Header, Inject, Module } from '@nestjs/common';
import { KAFKA_INGESTOR, type KafkaIngestor, KafkaIngestModule, type KafkaIngestModuleOptions } from '@rework-ledger/kafka-ingest';
import { RuntimeModule, type RuntimeOptions } from '@rework-ledger/runtime';
import type { Registry } from 'prom-client';

const METRICS_REGISTRY = Symbol('MetricsRegistry');

/** Liveness and Prometheus metrics of the ingestor process. */
@Controller()
class IngestorOperationsController {
  constructor(
    @Inject(KAFKA_INGESTOR) private readonly ingestor: KafkaIngestor,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health')
  health() {
    return { status: 'ok', partitions: this.ingestor.assignedPartitions() };
  }

  /** Prometheus metrics; the consumer lag is read from the broker at each scrape. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    await Promise.race([this.ingestor.refreshLag().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000))]);
    return this.registry.metrics();
  }
}

export type IngestorOptions = Readonly<{
  runtime: Omit<RuntimeOptions, 'projections'>;
  ingest: KafkaIngestModuleOptions;
  registry: Registry;
}>;

/** The ingestor process: Kafka → event store, nothing else (the API process runs the projections). */
@Module({})
export class IngestorModule {
  static register(options: IngestorOptions): DynamicModule {
    return {
      module: IngestorModule,
      imports: [RuntimeModule.forRoot({ ...options.runtime, projections: [] }), KafkaIngestModule.forRoot(options.ingest)],
      controllers: [IngestorOperationsController],
      providers: [{ provide: METRICS_REGISTRY, useValue: options.registry }],
    };
  }
}
