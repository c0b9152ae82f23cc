import { Controller, Get, Header, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiKeyGuard, AuthError, CurrentPrincipal, RequireScope } from '@rework-ledger/http-kit';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { LedgerError } from '@rework-ledger/domain';
import { type Principal, scopeSatisfies } from '@rework-ledger/tenancy';
import { DEMO_DATA_LOADER, type DemoDataLoader } from './demo-data.loader';
import { MetricsTokenGuard } from './metrics-token.guard';
import { HealthDocs, ProjectionsDocs, PrometheusDocs, ReadinessDocs, RebuildDocs } from './operations.openapi';
import { PLATFORM_METRICS, type PlatformMetrics } from './prometheus';

export class UnknownProjectionError extends LedgerError {
  constructor(name: string) {
    super('NOT_FOUND.PROJECTION', `no projection is named ${name}`, 'name');
  }
}

/** A tenant key asked about another tenant: only `operator` reaches beyond the key's own tenant. */
const otherTenantRefused = () => new AuthError('AUTH.MISSING_SCOPE', 'another tenant needs the "operator" scope', 403);

/** Why a projection is degraded: it retries after a fault (stalled), or it set events aside (parked). */
export type DegradedReason = 'stalled' | 'parked-events';

@Controller()
@UseGuards(ApiKeyGuard)
export class OperationsController {
  constructor(
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    @Inject(PLATFORM_METRICS) private readonly metrics: PlatformMetrics,
    @Inject(DEMO_DATA_LOADER) private readonly demoData: DemoDataLoader,
  ) {}

  /** Liveness: answers as soon as the HTTP server is up, demo data or not, degraded or not. */
  @Get('health')
  @HealthDocs()
  health() {
    return { status: 'ok' };
  }

  /**
   * Readiness: `ready`, or `degraded` with the projections concerned and why — never a tenant's name or error text.
   * Always 200: a degraded projection still serves its read model (the API answers), it needs an operator's look.
   */
  @Get('health/ready')
  @ReadinessDocs()
  async ready() {
    const projections = await Promise.all(
      this.runners.map(async (runner) => {
        const status = await runner.status();
        const reasons: DegradedReason[] = [...(status.lastError !== null ? (['stalled'] as const) : []), ...(status.parked > 0 ? (['parked-events'] as const) : [])];
        return { name: status.name, state: status.state, rebuilding: status.rebuilding, degraded: reasons.length > 0, reasons };
      }),
    );
    return { status: projections.some((projection) => projection.degraded) ? 'degraded' : 'ready', projections };
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
      this.metrics.projectionParkedEvents.set({ projection: runner.name }, status.parked);
    }
    return this.metrics.registry.metrics();
  }

  /**
   * A tenant's key: its own status of each projection (its lag, re-projection and parked events). An `operator` key:
   * every projection's platform-wide status (volume, every tenant's parked events), or one tenant's with `?tenant=`.
   */
  @Get('v1/projections')
  @RequireScope('read', 'operator')
  @ProjectionsDocs()
  async projections(@CurrentPrincipal() principal: Principal, @Query('tenant') tenant?: string) {
    const operator = scopeSatisfies(principal.scopes, 'operator');
    if (operator && !tenant) {
      return { scope: 'platform', projections: await Promise.all(this.runners.map((runner) => runner.status())), demoData: this.demoData.progress };
    }
    const target = tenant || principal.tenant;
    if (!operator && target !== principal.tenant) throw otherTenantRefused();
    const demo = this.demoData.progress;
    return {
      scope: 'tenant',
      tenant: target,
      projections: await Promise.all(this.runners.map((runner) => runner.tenantStatus(target))),
      // The demo loader's progress is another tenant's volume unless the demo tenant is this one.
      demoData: demo.tenant === null || demo.tenant === target ? demo : null,
    };
  }

  /**
   * A tenant's `admin` key: re-projects that tenant only (beside the live rows, then its rows replaced in one
   * transaction; how its parked events are retried after a fix). An `operator` key: rebuilds every tenant, or one
   * with `?tenant=`.
   */
  @Post('v1/projections/:name/rebuild')
  @RequireScope('admin', 'operator')
  @RebuildDocs()
  async rebuild(@Param('name') name: string, @CurrentPrincipal() principal: Principal, @Query('tenant') tenant?: string) {
    const runner = this.runners.find((candidate) => candidate.name === name);
    if (!runner) throw new UnknownProjectionError(name);
    const operator = scopeSatisfies(principal.scopes, 'operator');
    if (operator && !tenant) {
      await runner.requestRebuild();
      return { name, rebuildRequested: true };
    }
    const target = tenant || principal.tenant;
    if (!operator && target !== principal.tenant) throw otherTenantRefused();
    await runner.requestRebuild(target);
    return { name, rebuildRequested: true };
  }
}
