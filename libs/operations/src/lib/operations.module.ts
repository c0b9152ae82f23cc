import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { OperationsController } from './operations.controller';
import { PLATFORM_METRICS, type PlatformMetrics } from './prometheus';

/** Counts the events this process's runners park, by projection and code (no tenant: /metrics is platform-wide). */
@Injectable()
class ParkedEventsCounter implements OnModuleInit {
  constructor(
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    @Inject(PLATFORM_METRICS) private readonly metrics: PlatformMetrics,
  ) {}

  onModuleInit(): void {
    for (const runner of this.runners) {
      runner.addParkedListener((parked) => this.metrics.projectionEventsParked.inc({ projection: parked.projection, code: parked.code }));
    }
  }
}

/** Health, Prometheus metrics and projection status/rebuild. Needs PROJECTION_RUNNERS and PLATFORM_METRICS. */
@Module({ controllers: [OperationsController], providers: [ParkedEventsCounter] })
export class OperationsModule {}
