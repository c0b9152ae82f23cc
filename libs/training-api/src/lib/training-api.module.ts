import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CourseImpactService } from './course-impact.service';
import { TrainingController } from './training.controller';
import { GetCourseImpactHandler, ListCoursesHandler } from './training.queries';

/** GET /v1/training/courses and GET /v1/training/courses/{courseId}/impact, as queries on the CQRS query bus. */
@Module({
  imports: [CqrsModule],
  controllers: [TrainingController],
  providers: [CourseImpactService, GetCourseImpactHandler, ListCoursesHandler],
  exports: [CourseImpactService],
})
export class TrainingApiModule {}
