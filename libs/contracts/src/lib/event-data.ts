import type * as domain from '@rework-ledger/domain';
import { type EventType, TASK_TYPES, type TaskType } from '@rework-ledger/domain';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
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
  ValidateIf,
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
  MAX_USAGE_COUNT,
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

/** The name of the rule "a UTC day, YYYY-MM-DD, from 1970" (also read by the JSON Schema generator). */
export const IS_UTC_DAY = 'isUtcDay';
/** A UTC day as YYYY-MM-DD, from 1970 (a real date: no 2026-02-30). */
export const UTC_DAY_PATTERN = '^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$';
const UTC_DAY = new RegExp(UTC_DAY_PATTERN);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The rule of `@UtcDay()`: a string YYYY-MM-DD that names a real UTC day from 1970 (also the compiled check's). The
 * calendar is JavaScript's (proleptic Gregorian), counted rather than parsed: a usage event's day is checked on every
 * event, and a Date parse and format cost more than the rest of its data's rules together.
 */
export function isUtcDay(value: unknown): boolean {
  if (typeof value !== 'string' || !UTC_DAY.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

function UtcDay(): PropertyDecorator {
  return ValidateBy({
    name: IS_UTC_DAY,
    validator: {
      validate: (value: unknown) => isUtcDay(value),
      defaultMessage: () => '$property must be a date YYYY-MM-DD (UTC) from 1970-01-01',
    },
  });
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

/** `data` of `training.completion_retracted`: withdraws the employee's completions of the course before the event's time. */
export class TrainingCompletionRetractedData implements domain.TrainingCompletionRetractedData {
  @Identifier() employeeId: string;
  @Identifier() courseId: string;
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

/**
 * `data` of `ai.usage.recorded`. Besides these rules (see `usageDataErrors` in the validator): at least one figure is
 * present; `currency` comes with `cost`; `series` and `seriesStart` come with `cumulative: true`.
 */
export class UsageRecordedData implements domain.UsageRecordedData {
  @Identifier() employeeId: string;
  @IsOptional() @Identifier() teamId?: string;
  @Identifier() tool: string;
  @IsOptional() @Identifier() model?: string;
  @UtcDay() day: string;
  @Identifier(MAX_IRI_LENGTH) usageKey: string;
  @IsOptional() @BoundedInteger(MAX_USAGE_COUNT) requests?: number;
  @IsOptional() @BoundedInteger(MAX_USAGE_COUNT) suggestions?: number;
  @IsOptional() @BoundedInteger(MAX_USAGE_COUNT) acceptances?: number;
  @IsOptional() @BoundedInteger(MAX_USAGE_COUNT) linesSuggested?: number;
  @IsOptional() @BoundedInteger(MAX_USAGE_COUNT) linesAccepted?: number;
  @IsOptional() @BoundedInteger(MAX_TOKENS) inputTokens?: number;
  @IsOptional() @BoundedInteger(MAX_TOKENS) outputTokens?: number;
  @IsOptional() @BoundedNumber(MAX_MONEY_AMOUNT) cost?: number;
  @ValidateIf((data: UsageRecordedData) => data.cost != null || data.currency != null) @IsISO4217CurrencyCode() currency?: string;
  @IsOptional() @BoundedNumber(MAX_MONEY_AMOUNT) credits?: number;
  @ValidateIf((data: UsageRecordedData) => data.cumulative === true || data.series != null) @Identifier(MAX_IRI_LENGTH) series?: string;
  @ValidateIf((data: UsageRecordedData) => data.cumulative === true || data.seriesStart != null) @IsRFC3339() seriesStart?: string;
  @IsOptional() @IsBoolean() cumulative?: boolean;
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
  'training.completion_retracted': TrainingCompletionRetractedData,
  'employee.assigned': EmployeeAssignedData,
  'employee.identity_linked': EmployeeIdentityLinkedData,
  'ai.usage.recorded': UsageRecordedData,
} as const satisfies { [T in EventType]: new () => domain.EventDataByType[T] };
