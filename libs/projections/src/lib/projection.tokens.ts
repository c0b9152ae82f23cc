/** Dependency-injection token of the process's projection runners (ProjectionRunner[]). */
export const PROJECTION_RUNNERS = Symbol('ProjectionRunners');
