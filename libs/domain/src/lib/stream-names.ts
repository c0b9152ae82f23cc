import type { EventType } from './event-types';

/**
 * The one place stream names are built. Telemetry facts are appended to one stream per entity:
 * an AI output, an employee, or a course; an employee's AI usage has a stream of its own (many facts a day, kept apart
 * from the directory's and training's). Streams are always scoped by tenant in the store.
 */
export const streamNames = {
  output: (outputId: string) => `output-${outputId}`,
  employee: (employeeId: string) => `employee-${employeeId}`,
  course: (courseId: string) => `course-${courseId}`,
  usage: (employeeId: string) => `usage-${employeeId}`,
} as const;

/**
 * The entity a fact's data names: what a stream name is built from. Read before validation too (a Kafka producer keys
 * its records by stream), hence of any value; of a valid event, the strings of its type (see `events.ts`).
 */
export type EntityIds = Readonly<{ outputId?: unknown; employeeId?: unknown; courseId?: unknown }>;

/** The stream a fact of contract v1 belongs to, from its type and data. */
export function streamNameFor(type: EventType, data: EntityIds): string {
  switch (type) {
    case 'ai.output.generated':
    case 'ai.output.corrected':
    case 'ai.output.rewritten':
    case 'ai.output.double_checked':
    case 'ai.output.discarded':
      return streamNames.output(String(data.outputId));
    case 'training.course_registered':
      return streamNames.course(String(data.courseId));
    case 'training.completed':
    case 'training.completion_retracted':
    case 'employee.assigned':
    case 'employee.identity_linked':
      return streamNames.employee(String(data.employeeId));
    case 'ai.usage.recorded':
      return streamNames.usage(String(data.employeeId));
    default: {
      const unreachable: never = type;
      return unreachable;
    }
  }
}
