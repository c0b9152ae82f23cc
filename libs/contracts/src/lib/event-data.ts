import { TASK_TYPES } from '@rework-ledger/domain';
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
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_IDENTIFIER_LENGTH, MAX_IRI_LENGTH, MAX_MINUTES_SPENT, MAX_TEXT_LENGTH } from './limits';

const FINITE = { allowNaN: false, allowInfinity: false } as const;

/** An identifier: a non-empty string of at most 200 characters. */
function Identifier(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    IsNotEmpty()(target, key);
    MaxLength(MAX_IDENTIFIER_LENGTH)(target, key);
  };
}

/** A finite number ≥ 0. */
function NonNegativeNumber(): PropertyDecorator {
  return (target, key) => {
    IsNumber(FINITE)(target, key);
    Min(0)(target, key);
  };
}

/** `data` of `ai.output.generated`. */
export class OutputGeneratedData {
  @Identifier() outputId: string;
  @Identifier() employeeId: string;
  @IsOptional() @Identifier() teamId?: string;
  @Identifier() tool: string;
  @IsOptional() @Identifier() model?: string;
  @IsIn(TASK_TYPES) taskType: string;
  @IsOptional() @IsInt() @Min(0) inputTokens?: number;
  @IsOptional() @IsInt() @Min(0) outputTokens?: number;
  @IsOptional() @NonNegativeNumber() minutesSavedEstimate?: number;
}

/** `data` of `ai.output.corrected`, `rewritten`, `double_checked` and `discarded`. */
export class ReworkData {
  @Identifier() outputId: string;
  @Identifier() employeeId: string;
  @NonNegativeNumber() @Max(MAX_MINUTES_SPENT) minutesSpent: number;
  @IsOptional() @IsString() @MaxLength(MAX_TEXT_LENGTH) reason?: string;
}

/** `data` of `training.course_registered`. */
export class CourseRegisteredData {
  @Identifier() courseId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_TEXT_LENGTH) title: string;
  @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(MAX_IDENTIFIER_LENGTH, { each: true })
  skills: string[];
  @NonNegativeNumber() costPerSeat: number;
  @IsISO4217CurrencyCode() currency: string;
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(MAX_IRI_LENGTH, { each: true })
  activityIds?: string[];
}

/** `data` of `training.completed`; the event `time` is the completion time. */
export class TrainingCompletedData {
  @Identifier() employeeId: string;
  @Identifier() courseId: string;
  @IsOptional() @IsNumber(FINITE) @Min(0) @Max(1) score?: number;
}

/** `data` of `employee.assigned`. */
export class EmployeeAssignedData {
  @Identifier() employeeId: string;
  @Identifier() teamId: string;
  @IsOptional() @Identifier() role?: string;
  @IsOptional() @NonNegativeNumber() hourlyCost?: number;
  @IsOptional() @IsRFC3339() effectiveFrom?: string;
}

/** `data` of `employee.identity_linked`: another system's identifier for the same person. */
export class EmployeeIdentityLinkedData {
  @Identifier() employeeId: string;
  @Identifier() system: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_IRI_LENGTH) externalId: string;
}

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
} as const;
