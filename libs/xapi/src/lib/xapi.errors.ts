import { type ErrorShape, LedgerError } from '@rework-ledger/domain';

/** Why one statement of a batch is invalid: the common error shape and the statement's index in the request. */
export type StatementError = ErrorShape & Readonly<{ index: number }>;

/** A batch with at least one invalid statement: rejected whole (xAPI 1.0.3), 400 with every reason. */
export class XapiBatchRejectedError extends LedgerError {
  readonly status = 400;

  constructor(
    readonly errors: readonly StatementError[],
    statements: number,
  ) {
    const invalid = new Set(errors.map((error) => error.index)).size;
    super('XAPI.INVALID_BATCH', `${invalid} of ${statements} statement${statements === 1 ? ' is' : 's are'} invalid; none was stored`);
  }

  override toJSON(): ErrorShape & { errors: readonly StatementError[] } {
    return { ...super.toJSON(), errors: this.errors };
  }
}
