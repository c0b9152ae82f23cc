import { EVENT_TYPES } from '@rework-ledger/domain';
import { Equals, IsDefined, IsIn, IsNotEmpty, IsObject, IsOptional, IsRFC3339, IsString, Matches, MaxLength } from 'class-validator';
import { NO_CONTROL_CHARACTERS_MESSAGE, WITHOUT_CONTROL_CHARACTERS } from './characters';
import { MAX_IDENTIFIER_LENGTH, MAX_IRI_LENGTH } from './limits';

const NO_CONTROL = Matches(WITHOUT_CONTROL_CHARACTERS, { message: NO_CONTROL_CHARACTERS_MESSAGE });

/**
 * The CloudEvents 1.0 envelope of contract v1 (structured mode; binary mode is mapped onto it). Its string
 * attributes name things: no control characters (see characters.ts).
 */
export class CloudEventEnvelope {
  @IsDefined() @Equals('1.0') specversion: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_IDENTIFIER_LENGTH) @NO_CONTROL id: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_IRI_LENGTH) @NO_CONTROL source: string;
  @IsDefined() @IsIn(EVENT_TYPES) type: string;
  @IsDefined() @IsRFC3339() time: string;
  @IsOptional() @IsString() @MaxLength(MAX_IDENTIFIER_LENGTH) @NO_CONTROL subject?: string;
  @IsOptional() @IsString() @MaxLength(MAX_IDENTIFIER_LENGTH) @NO_CONTROL datacontenttype?: string;
  @IsOptional() @IsString() @MaxLength(MAX_IRI_LENGTH) @NO_CONTROL dataschema?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(MAX_IDENTIFIER_LENGTH) @NO_CONTROL tenant?: string;
  @IsDefined() @IsObject() data: Record<string, unknown>;
}
