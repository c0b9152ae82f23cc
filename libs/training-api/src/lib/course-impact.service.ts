import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { LedgerError, METRIC_VERSION } from '@rework-ledger/domain';
import {
  type Course,
  courseCompletions,
  employeeActivity,
  hourlyCostsAt,
  listCourses,
  reworkMetricsProjection,
  trainingProjection,
} from '@rework-ledger/read-models';
import { TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { closeCourseImpactWorkers, type CourseImpactEstimate, estimateCourseImpactInParallel } from '@rework-ledger/training-impact';
import { DataSource } from 'typeorm';

const DAY_MS = 86_400_000;

export class UnknownCourseError extends LedgerError {
  constructor(courseId: string) {
    super('NOT_FOUND.COURSE', `no course ${courseId} is registered for this tenant`, 'courseId');
  }
}

export type ImpactParameters = Readonly<{ windowDays: number; minOutputs: number; horizonDays: number; asOf: Date }>;

export type CourseImpactAnswer = {
  courseId: string;
  title: string;
  metricVersion: string;
  asOf: string;
  windowDays: number;
  minOutputs: number;
  horizonDays: number;
  currency: string;
  /** False when fewer than k trainees are eligible and the caller is not an admin: the counts, but no estimate. */
  estimateShown: boolean;
} & CourseImpactEstimate;

type CachedImpact = { checkpoints: string; estimate: CourseImpactEstimate };

/**
 * Course impact (PRODUCT.md "Training impact of course c"): aggregates from the read models in SQL, the estimator's
 * math in pure TypeScript (libs/training-impact), its bootstrap spread over worker threads. Results are cached until
 * the read models it reads move on.
 */
@Injectable()
export class CourseImpactService implements OnModuleDestroy {
  private readonly cache = new Map<string, CachedImpact>();
  private static readonly MAX_CACHED = 500;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(TENANT_SETTINGS) private readonly tenantSettings: TenantSettingsStore,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await closeCourseImpactWorkers();
  }

  async courses(tenant: string): Promise<Course[]> {
    return listCourses(this.dataSource, tenant);
  }

  async impact(tenant: string, courseId: string, parameters: ImpactParameters, seesSmallGroups: boolean): Promise<CourseImpactAnswer> {
    const [course] = await listCourses(this.dataSource, tenant, courseId);
    if (!course) throw new UnknownCourseError(courseId);
    const settings = await this.tenantSettings.get(tenant);
    const estimate = await this.cachedEstimate(tenant, course, parameters, settings.currency, settings.defaultHourlyCost);
    const shown = seesSmallGroups || estimate.trainees.eligible >= settings.privacyMinGroupSize;
    return {
      courseId,
      title: course.title,
      metricVersion: METRIC_VERSION,
      asOf: parameters.asOf.toISOString(),
      windowDays: parameters.windowDays,
      minOutputs: parameters.minOutputs,
      horizonDays: parameters.horizonDays,
      currency: settings.currency,
      estimateShown: shown,
      ...(shown ? estimate : withheld(estimate)),
    };
  }

  private async cachedEstimate(tenant: string, course: Course, parameters: ImpactParameters, currency: string, defaultHourlyCost: number): Promise<CourseImpactEstimate> {
    const key = JSON.stringify([tenant, course.courseId, parameters.windowDays, parameters.minOutputs, parameters.horizonDays, parameters.asOf.getTime(), currency, defaultHourlyCost]);
    const checkpoints = await this.readModelCheckpoints();
    const cached = this.cache.get(key);
    if (cached && cached.checkpoints === checkpoints) return cached.estimate;

    const { asOf, windowDays } = parameters;
    const completions = await courseCompletions(this.dataSource, tenant, course.courseId, asOf);
    const earliestCompletion = Math.min(...completions.map((c) => c.completedAt.getTime()), asOf.getTime());
    // Nothing before the placebo's pre window of the earliest trainee can matter.
    const since = new Date(Math.floor(earliestCompletion / DAY_MS) * DAY_MS - 2 * windowDays * DAY_MS);
    const [{ employees, activity }, costs] = await Promise.all([employeeActivity(this.dataSource, tenant, since, asOf), hourlyCostsAt(this.dataSource, tenant, asOf)]);
    const estimate = await estimateCourseImpactInParallel({
      ...parameters,
      completions,
      employees,
      activity,
      hourlyCost: (employeeId) => costs.get(employeeId) ?? defaultHourlyCost,
      costPerSeat: course.costPerSeat,
      currencyMatchesTenant: course.currency === currency,
    });
    if (this.cache.size >= CourseImpactService.MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, { checkpoints, estimate });
    return estimate;
  }

  /** The positions of the read models the estimate reads: while they stand still, a cached estimate is current. */
  private async readModelCheckpoints(): Promise<string> {
    const rows = await this.dataSource.query<{ name: string; transaction_id: string; global_position: string }[]>(
      'SELECT name, transaction_id, global_position FROM projection_checkpoints WHERE name = ANY($1) ORDER BY name',
      [[reworkMetricsProjection.name, trainingProjection.name]],
    );
    return rows.map((row) => `${row.name}@${row.transaction_id}:${row.global_position}`).join(',');
  }
}

/** The counts of a small cohort, without anything that could describe its members. */
function withheld(estimate: CourseImpactEstimate): CourseImpactEstimate {
  return {
    att: null,
    naive: null,
    ci95: null,
    significant: false,
    placebo: null,
    trainees: estimate.trainees,
    value: { minutesPerReworkedOutput: null, avoidedReworks: null, hoursSaved: null, valueSaved: null, valueSavedRange: null, cost: estimate.value.cost, roi: null, roiRange: null, paybackDays: null },
  };
}
