import type { EventType, TaskType } from '@rework-ledger/domain';

/** The `data` of each event type of contract v1, as the generator writes it. */
export type SyntheticEventData = {
  'ai.output.generated': {
    outputId: string;
    employeeId: string;
    teamId?: string;
    tool: string;
    model?: string;
    taskType: TaskType;
    inputTokens: number;
    outputTokens: number;
    minutesSavedEstimate?: number;
  };
  'ai.output.corrected': SyntheticReworkData;
  'ai.output.rewritten': SyntheticReworkData;
  'ai.output.double_checked': SyntheticReworkData;
  'ai.output.discarded': SyntheticReworkData;
  'training.course_registered': {
    courseId: string;
    title: string;
    skills: string[];
    costPerSeat: number;
    currency: string;
    activityIds: string[];
  };
  'training.completed': { employeeId: string; courseId: string; score: number };
  'employee.assigned': { employeeId: string; teamId: string; role: string; hourlyCost: number; effectiveFrom?: string };
  'employee.identity_linked': { employeeId: string; system: string; externalId: string };
};

export type SyntheticReworkData = { outputId: string; employeeId: string; minutesSpent: number; reason?: string };

/** A structured-mode CloudEvents 1.0 event of contract v1, without a `tenant` attribute. */
export type SyntheticCloudEvent<TType extends EventType = EventType> = {
  [T in TType]: Readonly<{
    specversion: '1.0';
    id: string;
    source: string;
    type: T;
    time: string;
    data: SyntheticEventData[T];
  }>;
}[TType];
