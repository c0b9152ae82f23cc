import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { LedgerError, METRIC_VERSION } from '@rework-ledger/domain';
import { readProjectionPositions } from '@rework-ledger/projections';
import {
  activityColumnsFromRollups,
  type Course,
  courseCompletions,
  employeeActivity,
  hourlyCostsAt,
  listCourses,
  reworkDoneFrom,
  reworkMetricsProjection,
  trainingProjection,
} from '@rework-ledger/read-models';
import { TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import {
  activityAsOf,
  closeCourseImpactWorkers,
  type CourseCompletion,
  type CourseImpactEstimate,
  eligibleFromDays,
  estimateCourseImpactInParallel,
  publishedWeek,
  snapToWeekStart,
  type TraineeCategory,
  traineeCategories,
} from '@rework-ledger/training-impact';
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
  /** The asOf the estimate is for: the caller's for an admin; the published week (a Monday) for anyone else. */
  asOf: string;
  /** The asOf the caller asked for (or the default). */
  requestedAsOf: string;
  windowDays: number;
  minOutputs: number;
  horizonDays: number;
  currency: string;
  /** False when no estimate of ≥ k eligible trainees has been published for a non-admin caller: the counts, but no estimate. */
  estimateShown: boolean;
} & CourseImpactEstimate;

/** What a non-admin caller sees for a week: the estimate published at `asOf`, or the week's counts alone. */
type Published = { asOf: Date; shown: boolean; estimate: CourseImpactEstimate };

type CachedImpact = { checkpoints: string; estimate: CourseImpactEstimate } | { checkpoints: string; published: Published };

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

  /**
   * Admins get the estimate as of their asOf. Anyone else gets the estimate published for the ISO week of their asOf
   * (see `publishedWeek`): it moves only when ≥ k trainees became eligible since the last one, so that two answers
   * never differ by one person; `asOf` in the answer says which week it is for.
   */
  async impact(tenant: string, courseId: string, parameters: ImpactParameters, seesSmallGroups: boolean): Promise<CourseImpactAnswer> {
    const [course] = await listCourses(this.dataSource, tenant, courseId);
    if (!course) throw new UnknownCourseError(courseId);
    const settings = await this.tenantSettings.get(tenant);
    const context = { tenant, course, parameters, currency: settings.currency, defaultHourlyCost: settings.defaultHourlyCost, checkpoints: await this.readModelCheckpoints() };
    const { asOf, shown, estimate } = seesSmallGroups
      ? { asOf: parameters.asOf, shown: true, estimate: await this.exactEstimate(context) }
      : await this.publishedEstimate(context, settings.privacyMinGroupSize);
    return {
      courseId,
      title: course.title,
      metricVersion: METRIC_VERSION,
      asOf: asOf.toISOString(),
      requestedAsOf: parameters.asOf.toISOString(),
      windowDays: parameters.windowDays,
      minOutputs: parameters.minOutputs,
      horizonDays: parameters.horizonDays,
      currency: settings.currency,
      estimateShown: shown,
      ...(shown ? estimate : withheld(estimate)),
    };
  }

  /** The estimate as of the caller's asOf exactly (admins). */
  private async exactEstimate(context: EstimateContext): Promise<CourseImpactEstimate> {
    const { tenant, course, parameters, currency, defaultHourlyCost, checkpoints } = context;
    const key = cacheKey('exact', context, parameters.asOf);
    const cached = this.cache.get(key);
    if (cached && cached.checkpoints === checkpoints && 'estimate' in cached) return cached.estimate;

    const { asOf } = parameters;
    const completions = await courseCompletions(this.dataSource, tenant, course.courseId, asOf);
    const since = activitySince(completions, asOf, parameters.windowDays);
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
    this.remember(key, { checkpoints, estimate });
    return estimate;
  }

  /**
   * The estimate published for the week of the caller's asOf (snapped down to its Monday, S): the eligible trainees
   * as of S (their windows, without the bootstrap) give the published week P; the estimate is then computed once, as
   * of P. Both come from one read of the employee months as they are now — the activity as of P is that read minus
   * the rework done since P — so a past week costs about what the current one does. Cached per S, and per P so that
   * every S of the same P shares one bootstrap.
   */
  private async publishedEstimate(context: EstimateContext, k: number): Promise<Published> {
    const { tenant, course, parameters, currency, defaultHourlyCost, checkpoints } = context;
    const S = snapToWeekStart(parameters.asOf);
    const weekKey = cacheKey('week', context, S, k);
    const cachedWeek = this.cache.get(weekKey);
    if (cachedWeek && cachedWeek.checkpoints === checkpoints && 'published' in cachedWeek) return cachedWeek.published;

    const completions = await courseCompletions(this.dataSource, tenant, course.courseId, S);
    const since = activitySince(completions, S, parameters.windowDays);
    const recorded = await activityColumnsFromRollups(this.dataSource, tenant, since, null);
    if (recorded === null) throw new Error('the employee months always answer without an asOf');
    const input = {
      ...parameters,
      completions,
      employees: recorded.employeeIds,
      hourlyCost: (): number => defaultHourlyCost,
      costPerSeat: course.costPerSeat,
      currencyMatchesTenant: course.currency === currency,
    };
    // Eligibility reads outputs only (never when they were reworked): the activity as recorded now decides it as of S.
    const traineesAtS = traineeCategories({ ...input, asOf: S, activity: recorded });
    const week = publishedWeek(eligibleFromDays(traineesAtS, parameters.windowDays), S, k);
    let published: Published;
    if (week === null) {
      published = { asOf: S, shown: false, estimate: countsOnly(traineesAtS, course.costPerSeat) };
    } else {
      const P = week.asOf;
      const estimateKey = cacheKey('published', context, P, k);
      const cachedEstimate = this.cache.get(estimateKey);
      let estimate: CourseImpactEstimate;
      if (cachedEstimate && cachedEstimate.checkpoints === checkpoints && 'estimate' in cachedEstimate) {
        estimate = cachedEstimate.estimate;
      } else {
        const [later, costs] = await Promise.all([reworkDoneFrom(this.dataSource, tenant, since, P), hourlyCostsAt(this.dataSource, tenant, P)]);
        const activity = activityAsOf(recorded, later, Math.floor(P.getTime() / DAY_MS));
        estimate = await estimateCourseImpactInParallel({
          ...input,
          asOf: P,
          employees: activity.employeeIds,
          activity,
          hourlyCost: (employeeId) => costs.get(employeeId) ?? defaultHourlyCost,
        });
        this.remember(estimateKey, { checkpoints, estimate });
      }
      published = { asOf: P, shown: estimate.trainees.eligible >= k, estimate };
    }
    this.remember(weekKey, { checkpoints, published });
    return published;
  }

  private remember(key: string, entry: CachedImpact): void {
    if (this.cache.size >= CourseImpactService.MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, entry);
  }

  /** The positions of the read models the estimate reads: while they stand still, a cached estimate is current. */
  private async readModelCheckpoints(): Promise<string> {
    const positions = await readProjectionPositions(this.dataSource, [reworkMetricsProjection.name, trainingProjection.name]);
    return positions.map(({ name, position }) => `${name}@${position.transactionId}:${position.globalPosition}`).join(',');
  }
}

type EstimateContext = Readonly<{ tenant: string; course: Course; parameters: ImpactParameters; currency: string; defaultHourlyCost: number; checkpoints: string }>;

function cacheKey(kind: 'exact' | 'week' | 'published', { tenant, course, parameters, currency, defaultHourlyCost }: EstimateContext, asOf: Date, k?: number): string {
  return JSON.stringify([kind, tenant, course.courseId, parameters.windowDays, parameters.minOutputs, parameters.horizonDays, asOf.getTime(), currency, defaultHourlyCost, k]);
}

/** Nothing before the placebo's pre window of the earliest trainee can matter. */
function activitySince(completions: readonly CourseCompletion[], asOf: Date, windowDays: number): Date {
  const earliestCompletion = Math.min(...completions.map((c) => c.completedAt.getTime()), asOf.getTime());
  return new Date(Math.floor(earliestCompletion / DAY_MS) * DAY_MS - 2 * windowDays * DAY_MS);
}

/** The trainee counts (and the seats' cost) of a week with no published estimate: nothing else. */
function countsOnly(trainees: readonly Readonly<{ category: TraineeCategory }>[], costPerSeat: number): CourseImpactEstimate {
  const counts = { eligible: 0, pending: 0, insufficient: 0, dropped: 0 };
  for (const trainee of trainees) counts[trainee.category]++;
  return withheldOf(counts, counts.eligible * costPerSeat);
}

/** The counts of a small cohort, without anything that could describe its members. */
function withheld(estimate: CourseImpactEstimate): CourseImpactEstimate {
  return withheldOf(estimate.trainees, estimate.value.cost);
}

function withheldOf(trainees: CourseImpactEstimate['trainees'], cost: number): CourseImpactEstimate {
  return {
    att: null,
    naive: null,
    ci95: null,
    significant: false,
    placebo: null,
    trainees,
    value: { minutesPerReworkedOutput: null, avoidedReworks: null, hoursSaved: null, valueSaved: null, valueSavedRange: null, cost, roi: null, roiRange: null, paybackDays: null },
  };
}
