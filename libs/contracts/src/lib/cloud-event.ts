import { EVENT_TYPES } from '@rework-ledger/domain';
import { Equals, IsDefined, IsIn, IsNotEmpty, IsObject, IsOptional, IsRFC3339, IsString, MaxLength } from 'class-validator';
import { MAX_IDENTIFIER_LENGTH, MAX_IRI_LENGTH } from './limits';

/** The CloudEvents 1.0 envelope of contract v1 (structured mode; binary mode is mapped onto it). */
export class CloudEventEnvelope {
  @IsDefined() @Equals('1.0') specversion: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_IDENTIFIER_LENGTH) id: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_IRI_LENGTH) source: string;
  @IsDefined() @IsIn(EVENT_TYPES) type: string;
  @IsDefined() @IsRFC3339() time: string;
  @IsOptional() @IsString() @MaxLength(MAX_IDENTIFIER_LENGTH) subject?: string;
  @IsOptional() @IsString() @MaxLength(MAX_IDENTIFIER_LENGTH) datacontenttype?: string;
  @IsOptional() @IsString() @MaxLength(MAX_IRI_LENGTH) dataschema?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(MAX_IDENTIFIER_LENGTH) tenant?: string;
  @IsDefined() @IsObject() data: Record<string, unknown>;
}
