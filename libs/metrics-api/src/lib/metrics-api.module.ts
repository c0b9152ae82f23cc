import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { GetReworkMetricsHandler } from './get-rework-metrics.query';
import { GetUsageMetricsHandler } from './get-usage-metrics.query';
import { ReworkMetricsController } from './rework-metrics.controller';
import { UsageMetricsController } from './usage-metrics.controller';
import { GetValueMetricsHandler } from './get-value-metrics.query';
import { ValueMetricsController } from './value-metrics.controller';

/** Metrics queries: GET /v1/metrics/rework, /v1/metrics/usage and /v1/metrics/value. Needs a TypeORM DataSource, API_KEYS and TENANT_SETTINGS from the app. */
@Module({
  imports: [CqrsModule],
  controllers: [ReworkMetricsController, UsageMetricsController, ValueMetricsController],
  providers: [GetReworkMetricsHandler, GetUsageMetricsHandler, GetValueMetricsHandler],
})
export class MetricsApiModule {}
