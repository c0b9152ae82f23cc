import type * as domain from '@rework-ledger/domain';
import { type EventType, TASK_TYPES, type TaskType } from '@rework-ledger/domain';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO4217CurrencyCode,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsRFC3339,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import {
  MAX_IDENTIFIER_LENGTH,
  MAX_IRI_LENGTH,
  MAX_LIST_ITEMS,
  MAX_MINUTES_SAVED_ESTIMATE,
  MAX_MINUTES_SPENT,
  MAX_MONEY_AMOUNT,
  MAX_TEXT_LENGTH,
  MAX_TOKENS,
  MIN_POSITIVE_NUMBER,
} from './limits';
import { NO_CONTROL_CHARACTERS_MESSAGE, TEXT_CONTROL_CHARACTERS_MESSAGE, TEXT_WITHOUT_CONTROL_CHARACTERS, WITHOUT_CONTROL_CHARACTERS } from './characters';

const FINITE = { allowNaN: false, allowInfinity: false } as const;

/** A string of at most `maxLength` characters, non-empty, without control characters. */
function Identifier(maxLength = MAX_IDENTIFIER_LENGTH, options: { each?: boolean } = {}): PropertyDecorator {
  return (target, key) => {
    IsString(options)(target, key);
    IsNotEmpty(options)(target, key);
    MaxLength(maxLength, options)(target, key);
    Matches(WITHOUT_CONTROL_CHARACTERS, { ...options, message: NO_CONTROL_CHARACTERS_MESSAGE })(target, key);
  };
}

/** Free text of at most MAX_TEXT_LENGTH characters: tabs and line breaks allowed, no other control character. */
function Text(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    MaxLength(MAX_TEXT_LENGTH)(target, key);
    Matches(TEXT_WITHOUT_CONTROL_CHARACTERS, { message: TEXT_CONTROL_CHARACTERS_MESSAGE })(target, key);
  };
}

/** The name of the rule "0, or at least `min`" (also read by the JSON Schema generator). */
export const ZERO_OR_AT_LEAST = 'zeroOrAtLeast';

/** 0, or at least `min`: no number so small that arithmetic on it underflows (see MIN_POSITIVE_NUMBER). */
function ZeroOrAtLeast(min: number): PropertyDecorator {
  return ValidateBy({
    name: ZERO_OR_AT_LEAST,
    constraints: [min],
    validator: {
      validate: (value: unknown) => typeof value !== 'number' || value === 0 || Math.abs(value) >= min,
      defaultMessage: () => `$property must be 0 or at least ${min}`,
    },
  });
}

/** A finite number from 0 to `max`, and 0 or at least MIN_POSITIVE_NUMBER. */
function BoundedNumber(max: number): PropertyDecorator {
  return (target, key) => {
    IsNumber(FINITE)(target, key);
    Min(0)(target, key);
    Max(max)(target, key);
    ZeroOrAtLeast(MIN_POSITIVE_NUMBER)(target, key);
  };
}

/** An integer from 0 to `max`. */
function BoundedInteger(max: number): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(0)(target, key);
    Max(max)(target, key);
  };
}

/** `data` of `ai.output.generated`. */
export class OutputGeneratedData implements domain.OutputGeneratedData {
  @Identifier() outputId: string;
  @Identifier() employeeId: string;
  @IsOptional() @Identifier() teamId?: string;
  @Identifier() tool: string;
  @IsOptional() @Identifier() model?: string;
  @IsIn(TASK_TYPES) taskType: TaskType;
  @IsOptional() @BoundedInteger(MAX_TOKENS) inputTokens?: number;
  @IsOptional() @BoundedInteger(MAX_TOKENS) outputTokens?: number;
  @IsOptional() @BoundedNumber(MAX_MINUTES_SAVED_ESTIMATE) minutesSavedEstimate?: number;
}

/** `data` of `ai.output.corrected`, `rewritten`, `double_checked` and `discarded`. */
export class ReworkData implements domain.ReworkData {
  @Identifier() outputId: string;
  @Identifier() employeeId: string;
  @BoundedNumber(MAX_MINUTES_SPENT) minutesSpent: number;
  @IsOptional() @Text() reason?: string;
}

/** `data` of `training.course_registered`. */
export class CourseRegisteredData implements domain.CourseRegisteredData {
  @Identifier() courseId: string;
  @IsNotEmpty() @Text() title: string;
  @IsArray() @ArrayMaxSize(MAX_LIST_ITEMS) @Identifier(MAX_IDENTIFIER_LENGTH, { each: true }) skills: string[];
  @BoundedNumber(MAX_MONEY_AMOUNT) costPerSeat: number;
  @IsISO4217CurrencyCode() currency: string;
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_LIST_ITEMS) @Identifier(MAX_IRI_LENGTH, { each: true }) activityIds?: string[];
}

/** `data` of `training.completed`; the event `time` is the completion time. */
export class TrainingCompletedData implements domain.TrainingCompletedData {
  @Identifier() employeeId: string;
  @Identifier() courseId: string;
  @IsOptional() @BoundedNumber(1) score?: number;
}

/** `data` of `employee.assigned`. */
export class EmployeeAssignedData implements domain.EmployeeAssignedData {
  @Identifier() employeeId: string;
  @Identifier() teamId: string;
  @IsOptional() @Identifier() role?: string;
  @IsOptional() @BoundedNumber(MAX_MONEY_AMOUNT) hourlyCost?: number;
  @IsOptional() @IsRFC3339() effectiveFrom?: string;
}

/** `data` of `employee.identity_linked`: another system's identifier for the same person. */
export class EmployeeIdentityLinkedData implements domain.EmployeeIdentityLinkedData {
  @Identifier() employeeId: string;
  @Identifier() system: string;
  @Identifier(MAX_IRI_LENGTH) externalId: string;
}

/** The class that holds the rules of each event type's `data`; its instances are of the domain's type of that data. */
export const DATA_CLASS_BY_TYPE = {
  'ai.output.generated': OutputGeneratedData,
  'ai.output.corrected': ReworkData,
  'ai.output.rewritten': ReworkData,
  'ai.output.double_checked': ReworkData,
  'ai.output.discarded': ReworkData,
  'training.course_registered': CourseRegisteredData,
  'training.completed': TrainingCompletedData,
  'employee.assigned': EmployeeAssignedData,
  'employee.identity_linked': EmployeeIdentityLinkedData,
} as const satisfies { [T in EventType]: new () => domain.EventDataByType[T] };
