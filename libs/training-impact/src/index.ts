export * from './lib/course-impact.types';
export * from './lib/course-impact.estimator';
export * from './lib/daily-activity.aggregator';
export { closeCourseImpactWorkers, DEFAULT_BOOTSTRAP_THREADS, MAX_BOOTSTRAP_THREADS } from './lib/course-impact.worker-pool';
export { percentileInterval95, quantileOfSorted } from './lib/resample-stream';
export * from './lib/course-impact.publication';
export { traineeCategories } from './lib/course-impact.design';
