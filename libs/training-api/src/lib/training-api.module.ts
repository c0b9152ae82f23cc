import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CourseImpactService } from './course-impact.service';
import { SkillsGapsController } from './skills-gaps.controller';
import { SkillsGapsService } from './skills-gaps.service';
import { TrainingController } from './training.controller';
import { GetCourseImpactHandler, GetSkillsGapsHandler, ListCoursesHandler } from './training.queries';

/** GET /v1/training/courses, GET /v1/training/courses/{courseId}/impact and GET /v1/skills/gaps, as CQRS queries. */
@Module({
  imports: [CqrsModule],
  controllers: [TrainingController, SkillsGapsController],
  providers: [CourseImpactService, SkillsGapsService, GetCourseImpactHandler, ListCoursesHandler, GetSkillsGapsHandler],
  exports: [CourseImpactService],
})
export class TrainingApiModule {}
