import { LedgerError } from '@rework-ledger/domain';

/** 400: the body is not an Export*ServiceRequest in the encoding its Content-Type names. Not retriable. */
export class OtlpDecodeError extends LedgerError {
  readonly status = 400;
  constructor(message: string) {
    super('OTLP.UNDECODABLE', message);
  }
}
