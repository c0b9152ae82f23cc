/** The CloudEvents `type` values of event contract v1, and the kinds of rework among them. */
export const TASK_TYPES = ['drafting', 'analysis', 'decision-support', 'automation', 'coding', 'other'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const REWORK_EVENT_TYPES = {
  'ai.output.corrected': 'correction',
  'ai.output.rewritten': 'rewrite',
  'ai.output.double_checked': 'doubleCheck',
  'ai.output.discarded': 'discard',
} as const;
export type ReworkEventType = keyof typeof REWORK_EVENT_TYPES;
export type ReworkKind = (typeof REWORK_EVENT_TYPES)[ReworkEventType];

export const EVENT_TYPES = [
  'ai.output.generated',
  'ai.output.corrected',
  'ai.output.rewritten',
  'ai.output.double_checked',
  'ai.output.discarded',
  'training.course_registered',
  'training.completed',
  'training.completion_retracted',
  'employee.assigned',
  'employee.identity_linked',
  'ai.usage.recorded',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** True when `type` is one of the event types of contract v1. */
export function isEventType(type: string): type is EventType {
  return (EVENT_TYPES as readonly string[]).includes(type);
}

/** True when the event type records rework on an AI output. */
export function isReworkEventType(type: string): type is ReworkEventType {
  return type in REWORK_EVENT_TYPES;
}
