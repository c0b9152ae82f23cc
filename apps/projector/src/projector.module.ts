import { Controller, type DynamicModule, Get, HttpCode, Inject, Module } from '@nestjs/common';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { RuntimeModule, type RuntimeOptions } from '@rework-ledger/runtime';

/**
 * Liveness of the projector, with each projection's state (`running` here, or `standby` while another process runs it)
 * and whether it is degraded. Platform-wide counts only: no tenant is named (a tenant's parked events: GET /v1/projections).
 */
@Controller()
class ProjectorHealthController {
  constructor(@Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[]) {}

  @Get('health')
  @HttpCode(200)
  async health() {
    const statuses = await Promise.all(this.runners.map((runner) => runner.status()));
    // Always 200 while the process lives; `degraded` names a projection that retries (lastError) or set events aside.
    return {
      status: 'ok',
      projections: statuses.map(({ name, state, rebuilding, eventsBehind, secondsBehind, lastError, parked }) => ({
        name,
        state,
        rebuilding,
        eventsBehind,
        secondsBehind,
        lastError,
        parked,
        degraded: lastError !== null || parked > 0,
      })),
    };
  }
}

/**
 * The projector process: the projection runners and nothing else. Run one or more (standby ones take over when the
 * active one stops: one advisory lock per projection) and set RUN_PROJECTIONS=false on the API.
 */
@Module({})
export class ProjectorModule {
  static register(runtime: RuntimeOptions): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [RuntimeModule.forRoot({ ...runtime, runProjections: true })],
      controllers: [ProjectorHealthController],
    };
  }
}
