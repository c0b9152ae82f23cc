export * from './lib/course-impact.types';
export * from './lib/course-impact.estimator';
export * from './lib/daily-activity.aggregator';
export { percentileInterval95, quantileOfSorted } from './lib/resample-stream';
