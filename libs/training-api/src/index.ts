export * from './lib/course-impact.service';
export * from './lib/training-api.module';
export * from './lib/training.controller';
export * from './lib/training.queries';
export * from './lib/skills-gaps.controller';
export * from './lib/skills-gaps.service';
