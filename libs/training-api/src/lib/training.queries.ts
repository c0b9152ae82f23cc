import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Course } from '@rework-ledger/read-models';
import { type CourseImpactAnswer, CourseImpactService, type ImpactParameters } from './course-impact.service';
import { type SkillsGapsAnswer, SkillsGapsService } from './skills-gaps.service';

/** The impact of one course for a tenant. */
export class GetCourseImpactQuery extends Query<CourseImpactAnswer> {
  constructor(
    readonly tenant: string,
    readonly courseId: string,
    readonly parameters: ImpactParameters,
    readonly seesSmallGroups: boolean,
  ) {
    super();
  }
}

/** The tenant's course catalogue. */
export class ListCoursesQuery extends Query<Course[]> {
  constructor(readonly tenant: string) {
    super();
  }
}

@QueryHandler(GetCourseImpactQuery)
export class GetCourseImpactHandler implements IQueryHandler<GetCourseImpactQuery, CourseImpactAnswer> {
  constructor(private readonly service: CourseImpactService) {}

  execute(query: GetCourseImpactQuery): Promise<CourseImpactAnswer> {
    return this.service.impact(query.tenant, query.courseId, query.parameters, query.seesSmallGroups);
  }
}

@QueryHandler(ListCoursesQuery)
export class ListCoursesHandler implements IQueryHandler<ListCoursesQuery, Course[]> {
  constructor(private readonly service: CourseImpactService) {}

  execute(query: ListCoursesQuery): Promise<Course[]> {
    return this.service.courses(query.tenant);
  }
}

/** Skills gaps of a tenant over a period. */
export class GetSkillsGapsQuery extends Query<SkillsGapsAnswer> {
  constructor(
    readonly tenant: string,
    readonly from: Date,
    readonly to: Date,
    readonly impactParameters: ImpactParameters,
    readonly seesSmallGroups: boolean,
  ) {
    super();
  }
}

@QueryHandler(GetSkillsGapsQuery)
export class GetSkillsGapsHandler implements IQueryHandler<GetSkillsGapsQuery, SkillsGapsAnswer> {
  constructor(private readonly service: SkillsGapsService) {}

  execute(query: GetSkillsGapsQuery): Promise<SkillsGapsAnswer> {
    return this.service.gaps(query.tenant, query.from, query.to, query.impactParameters, query.seesSmallGroups);
  }
}
