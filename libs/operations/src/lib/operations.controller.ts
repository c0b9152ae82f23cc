import { Controller, Get, Header, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiKeyGuard, RequireScope } from '@rework-ledger/http-kit';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { LedgerError } from '@rework-ledger/domain';
import { DEMO_DATA_LOADER, type DemoDataLoader } from './demo-data.loader';
import { HealthDocs, ProjectionsDocs, PrometheusDocs, RebuildDocs } from './operations.openapi';
import { MetricsTokenGuard } from './metrics-token.guard';
import { PLATFORM_METRICS, type PlatformMetrics } from './prometheus';

export class UnknownProjectionError extends LedgerError {
  constructor(name: string) {
    super('NOT_FOUND.PROJECTION', `no projection is named ${name}`, 'name');
  }
}

@Controller()
@UseGuards(ApiKeyGuard)
export class OperationsController {
  constructor(
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    @Inject(PLATFORM_METRICS) private readonly metrics: PlatformMetrics,
    @Inject(DEMO_DATA_LOADER) private readonly demoData: DemoDataLoader,
  ) {}

  /** Liveness: answers as soon as the HTTP server is up, demo data or not. */
  @Get('health')
  @HealthDocs()
  health() {
    return { status: 'ok' };
  }

  /** Prometheus metrics: platform-wide counters, no tenant's; behind METRICS_TOKEN when it is set. */
  @Get('metrics')
  @UseGuards(MetricsTokenGuard)
  @PrometheusDocs()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async prometheus(): Promise<string> {
    for (const runner of this.runners) {
      const status = await runner.status();
      this.metrics.projectionEventsBehind.set({ projection: runner.name }, status.eventsBehind);
    }
    return this.metrics.registry.metrics();
  }

  /** Every projection with its checkpoint, lag and rebuild state, and the demo data's loading progress. */
  @Get('v1/projections')
  @RequireScope('read')
  @ProjectionsDocs()
  async projections() {
    return { projections: await Promise.all(this.runners.map((runner) => runner.status())), demoData: this.demoData.progress };
  }

  /** Rebuilds a projection from the event store beside the live read model, then swaps it in. */
  @Post('v1/projections/:name/rebuild')
  @RequireScope('admin')
  @RebuildDocs()
  async rebuild(@Param('name') name: string) {
    const runner = this.runners.find((candidate) => candidate.name === name);
    if (!runner) throw new UnknownProjectionError(name);
    await runner.requestRebuild();
    return { name, rebuildRequested: true };
  }
}
