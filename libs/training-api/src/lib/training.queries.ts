import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Course } from '@rework-ledger/read-models';
import { type CourseImpactAnswer, CourseImpactService, type ImpactParameters } from './course-impact.service';

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
