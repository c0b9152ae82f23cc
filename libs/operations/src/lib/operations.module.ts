import { Module } from '@nestjs/common';
import { OperationsController } from './operations.controller';

/** Health, Prometheus metrics and projection status/rebuild. Needs PROJECTION_RUNNERS and PLATFORM_METRICS. */
@Module({ controllers: [OperationsController] })
export class OperationsModule {}
