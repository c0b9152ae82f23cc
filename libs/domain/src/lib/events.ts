import type { EventType, ReworkEventType, TaskType } from './event-types';

// The one definition of the `data` of each event type of contract v1, keyed by its CloudEvents `type`. The rules
// (bounds, characters, formats) are the contract's (`libs/contracts`), whose validating classes implement these types;
// an event is decoded there once, and everything downstream reads it typed. An optional field may be absent or null
// (the contract admits both). Extra fields an event carries are kept in the store but not named here.

/** `data` of `ai.output.generated`. */
export type OutputGeneratedData = {
  outputId: string;
  employeeId: string;
  teamId?: string | null;
  tool: string;
  model?: string | null;
  taskType: TaskType;
  /** Integers. */
  inputTokens?: number | null;
  outputTokens?: number | null;
  minutesSavedEstimate?: number | null;
};

/** `data` of the four rework events: `ai.output.corrected`, `rewritten`, `double_checked` and `discarded`. */
export type ReworkData = {
  outputId: string;
  /** Who did the rework. */
  employeeId: string;
  minutesSpent: number;
  reason?: string | null;
};

/** `data` of `training.course_registered`. */
export type CourseRegisteredData = {
  courseId: string;
  title: string;
  skills: readonly string[];
  costPerSeat: number;
  /** ISO 4217. */
  currency: string;
  /** xAPI activity IRIs. */
  activityIds?: readonly string[] | null;
};

/** `data` of `training.completed`; the event `time` is the completion time. */
export type TrainingCompletedData = {
  employeeId: string;
  courseId: string;
  /** From 0 to 1. */
  score?: number | null;
};

/**
 * `data` of `training.completion_retracted`: withdraws the employee's completions of the course recorded before the
 * event's `time` (a voided xAPI statement, a corrected LMS export), whatever the `asOf`; a later completion stands.
 */
export type TrainingCompletionRetractedData = {
  employeeId: string;
  courseId: string;
};

/** `data` of `employee.assigned`. */
export type EmployeeAssignedData = {
  employeeId: string;
  teamId: string;
  role?: string | null;
  hourlyCost?: number | null;
  /** An RFC 3339 timestamp; absent, the event `time`. */
  effectiveFrom?: string | null;
};

/** `data` of `employee.identity_linked`: another system's identifier for the same person. */
export type EmployeeIdentityLinkedData = {
  employeeId: string;
  system: string;
  externalId: string;
};

/** The figures of `ai.usage.recorded`: at least one of them is present. Counts are integers. */
export const USAGE_COUNTS = ['requests', 'suggestions', 'acceptances', 'linesSuggested', 'linesAccepted', 'inputTokens', 'outputTokens'] as const;
export type UsageCount = (typeof USAGE_COUNTS)[number];
/** Every figure of `ai.usage.recorded` (the counts, `cost` with its `currency`, `credits`). */
export const USAGE_FIGURES = [...USAGE_COUNTS, 'cost', 'credits'] as const;
export type UsageFigure = (typeof USAGE_FIGURES)[number];

/**
 * `data` of `ai.usage.recorded`: one person's use of an AI tool on a UTC day (adoption and spend; never part of the
 * rework rate). A later fact with the same `usageKey` replaces the earlier one. A cumulative source (an OTLP
 * cumulative sum) also says `cumulative: true`, its `series` and `seriesStart`: its figures are running totals of the
 * series, which the usage read model turns into deltas.
 */
export type UsageRecordedData = {
  employeeId: string;
  teamId?: string | null;
  tool: string;
  model?: string | null;
  /** YYYY-MM-DD, UTC. */
  day: string;
  /** Identifies the source row: a later fact with the same key replaces the earlier one. */
  usageKey: string;
  requests?: number | null;
  suggestions?: number | null;
  acceptances?: number | null;
  linesSuggested?: number | null;
  linesAccepted?: number | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  /** In `currency` (ISO 4217), required with it. */
  cost?: number | null;
  currency?: string | null;
  credits?: number | null;
  /** A cumulative series' identity, its start (RFC 3339), and that the figures are running totals. */
  series?: string | null;
  seriesStart?: string | null;
  cumulative?: boolean | null;
};

/** The `data` of each event type. */
export type EventDataByType = {
  'ai.output.generated': OutputGeneratedData;
  'ai.output.corrected': ReworkData;
  'ai.output.rewritten': ReworkData;
  'ai.output.double_checked': ReworkData;
  'ai.output.discarded': ReworkData;
  'training.course_registered': CourseRegisteredData;
  'training.completed': TrainingCompletedData;
  'training.completion_retracted': TrainingCompletionRetractedData;
  'employee.assigned': EmployeeAssignedData;
  'employee.identity_linked': EmployeeIdentityLinkedData;
  'ai.usage.recorded': UsageRecordedData;
};

/** An event of the given types with its data: a union a `switch (event.type)` narrows. */
export type EventOfType<T extends EventType> = { [K in T]: Readonly<{ type: K; data: Readonly<EventDataByType[K]> }> }[T];

/** Every fact Rework Ledger records (event contract v1), by type and data. */
export type LedgerEvent = EventOfType<EventType>;

export type OutputGenerated = EventOfType<'ai.output.generated'>;
export type OutputCorrected = EventOfType<'ai.output.corrected'>;
export type OutputRewritten = EventOfType<'ai.output.rewritten'>;
export type OutputDoubleChecked = EventOfType<'ai.output.double_checked'>;
export type OutputDiscarded = EventOfType<'ai.output.discarded'>;
export type CourseRegistered = EventOfType<'training.course_registered'>;
export type TrainingCompleted = EventOfType<'training.completed'>;
export type TrainingCompletionRetracted = EventOfType<'training.completion_retracted'>;
export type EmployeeAssigned = EventOfType<'employee.assigned'>;
export type EmployeeIdentityLinked = EventOfType<'employee.identity_linked'>;
export type UsageRecorded = EventOfType<'ai.usage.recorded'>;

/** The four rework events. */
export type ReworkEvent = EventOfType<ReworkEventType>;
