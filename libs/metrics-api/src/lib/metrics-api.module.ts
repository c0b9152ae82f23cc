import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { GetReworkMetricsHandler } from './get-rework-metrics.query';
import { ReworkMetricsController } from './rework-metrics.controller';

/** Metrics queries: GET /v1/metrics/rework. Needs a TypeORM DataSource, API_KEYS and TENANT_SETTINGS from the app. */
@Module({
  imports: [CqrsModule],
  controllers: [ReworkMetricsController],
  providers: [GetReworkMetricsHandler],
})
export class MetricsApiModule {}
