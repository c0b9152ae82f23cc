import { Controller, Get, Param, Query as QueryParam, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { LedgerError } from '@rework-ledger/domain';
import { ApiKeyGuard, CurrentPrincipal, InvalidParameterError, parseTimestampParam, RequireScope } from '@rework-ledger/http-kit';
import type { Principal } from '@rework-ledger/tenancy';
import { COURSE_IMPACT_DEFAULTS } from '@rework-ledger/training-impact';
import type { ImpactParameters } from './course-impact.service';
import { CourseImpactDocs, ListCoursesDocs } from './training.openapi';
import { GetCourseImpactQuery, ListCoursesQuery } from './training.queries';

const DAY_MS = 86_400_000;
const MAX_DAYS = 3660;

/** A whole number parameter in [min, max], or the default when absent. */
function parseIntegerParam(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw new InvalidParameterError(name, `${name} must be a whole number`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new InvalidParameterError(name, `${name} must be between ${min} and ${max}`);
  return parsed;
}

/** A parameter that decides who the trainees are, set by a caller without admin. */
export class ParameterNeedsAdminError extends LedgerError {
  readonly status = 403;
  constructor(field: string) {
    super('PRIVACY.PARAMETER_NEEDS_ADMIN', `${field} decides which trainees an estimate covers: only an admin key may change it`, field);
  }
}

/**
 * The impact parameters of a request; asOf defaults to the start of the current UTC day. Without admin, `windowDays`
 * and `minOutputs` stay at their defaults: each decides who is eligible, and two answers at m and m + 1 outputs would
 * differ by the trainees with exactly m (one person's effect), whatever the steps of k at one setting.
 */
export function parseImpactParameters(params: Record<string, string | undefined>, now: Date, admin = true): ImpactParameters {
  const startOfToday = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  if (!admin) {
    for (const field of ['windowDays', 'minOutputs'] as const) {
      const value = params[field];
      if (value !== undefined && value !== '' && Number(value) !== COURSE_IMPACT_DEFAULTS[field]) throw new ParameterNeedsAdminError(field);
    }
  }
  return {
    windowDays: parseIntegerParam('windowDays', params['windowDays'], COURSE_IMPACT_DEFAULTS.windowDays, 1, 365),
    minOutputs: parseIntegerParam('minOutputs', params['minOutputs'], COURSE_IMPACT_DEFAULTS.minOutputs, 1, 100_000),
    horizonDays: parseIntegerParam('horizonDays', params['horizonDays'], COURSE_IMPACT_DEFAULTS.horizonDays, 1, MAX_DAYS),
    asOf: parseTimestampParam('asOf', params['asOf'], startOfToday),
  };
}

@Controller('v1/training')
@UseGuards(ApiKeyGuard)
export class TrainingController {
  constructor(private readonly queryBus: QueryBus) {}

  /** Every course with its completions and its impact summary at the default parameters. */
  @Get('courses')
  @RequireScope('read')
  @ListCoursesDocs()
  async courses(@CurrentPrincipal() principal: Principal) {
    const parameters = parseImpactParameters({}, new Date());
    const admin = principal.scopes.includes('admin');
    const courses = await this.queryBus.execute(new ListCoursesQuery(principal.tenant));
    const summaries = [];
    for (const course of courses) {
      const estimate = await this.queryBus.execute(new GetCourseImpactQuery(principal.tenant, course.courseId, parameters, admin));
      summaries.push({
        ...course,
        impact: {
          asOf: estimate.asOf,
          att: estimate.att,
          naive: estimate.naive,
          ci95: estimate.ci95,
          significant: estimate.significant,
          placeboFlagged: estimate.placebo?.flagged ?? null,
          trainees: estimate.trainees,
          hoursSaved: estimate.value.hoursSaved,
          roi: estimate.value.roi,
          roiRange: estimate.value.roiRange,
          paybackDays: estimate.value.paybackDays,
        },
      });
    }
    return { asOf: parameters.asOf.toISOString(), courses: summaries };
  }

  /** The causal effect of completing a course on the trainees' rework rate, with its uncertainty and value. */
  @Get('courses/:courseId/impact')
  @RequireScope('read')
  @CourseImpactDocs()
  async courseImpact(@CurrentPrincipal() principal: Principal, @Param('courseId') courseId: string, @QueryParam() params: Record<string, string | undefined>) {
    const admin = principal.scopes.includes('admin');
    return this.queryBus.execute(new GetCourseImpactQuery(principal.tenant, courseId, parseImpactParameters(params, new Date(), admin), admin));
  }
}
