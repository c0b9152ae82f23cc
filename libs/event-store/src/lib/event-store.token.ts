/** Dependency-injection token of the {@link EventStore} in the NestJS apps. */
export const EVENT_STORE = Symbol('EventStore');
