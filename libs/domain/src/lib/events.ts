import type { EventType, ReworkKind, TaskType } from './event-types';

/** What every stored fact carries besides its data. `occurredAt` is the CloudEvent `time`. */
export type FactMetadata = Readonly<{
  tenant: string;
  source: string;
  eventId: string;
  occurredAt: Date;
}>;

type Fact<TType extends string, TData> = Readonly<{ type: TType; data: Readonly<TData>; metadata: FactMetadata }>;

export type OutputGenerated = Fact<
  'OutputGenerated',
  {
    outputId: string;
    employeeId: string;
    teamId?: string;
    tool: string;
    model?: string;
    taskType: TaskType;
    inputTokens?: number;
    outputTokens?: number;
    minutesSavedEstimate?: number;
  }
>;

export type ReworkData = { outputId: string; employeeId: string; minutesSpent: number; reason?: string };
export type OutputCorrected = Fact<'OutputCorrected', ReworkData>;
export type OutputRewritten = Fact<'OutputRewritten', ReworkData>;
export type OutputDoubleChecked = Fact<'OutputDoubleChecked', ReworkData>;
export type OutputDiscarded = Fact<'OutputDiscarded', ReworkData>;

export type CourseRegistered = Fact<
  'CourseRegistered',
  { courseId: string; title: string; skills: string[]; costPerSeat: number; currency: string; activityIds?: string[] }
>;
export type TrainingCompleted = Fact<'TrainingCompleted', { employeeId: string; courseId: string; score?: number }>;
export type EmployeeAssigned = Fact<
  'EmployeeAssigned',
  { employeeId: string; teamId: string; role?: string; hourlyCost?: number; effectiveFrom?: string }
>;
export type EmployeeIdentityLinked = Fact<
  'EmployeeIdentityLinked',
  { employeeId: string; system: string; externalId: string }
>;

export type ReworkFact = OutputCorrected | OutputRewritten | OutputDoubleChecked | OutputDiscarded;

/** Every fact Rework Ledger records (event contract v1). */
export type LedgerFact =
  | OutputGenerated
  | ReworkFact
  | CourseRegistered
  | TrainingCompleted
  | EmployeeAssigned
  | EmployeeIdentityLinked;

export const FACT_NAME_BY_EVENT_TYPE: Readonly<Record<EventType, LedgerFact['type']>> = {
  'ai.output.generated': 'OutputGenerated',
  'ai.output.corrected': 'OutputCorrected',
  'ai.output.rewritten': 'OutputRewritten',
  'ai.output.double_checked': 'OutputDoubleChecked',
  'ai.output.discarded': 'OutputDiscarded',
  'training.course_registered': 'CourseRegistered',
  'training.completed': 'TrainingCompleted',
  'employee.assigned': 'EmployeeAssigned',
  'employee.identity_linked': 'EmployeeIdentityLinked',
};

export const REWORK_KIND_BY_FACT: Readonly<Record<ReworkFact['type'], ReworkKind>> = {
  OutputCorrected: 'correction',
  OutputRewritten: 'rewrite',
  OutputDoubleChecked: 'doubleCheck',
  OutputDiscarded: 'discard',
};
