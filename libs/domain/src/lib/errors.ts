/** A failure with a stable machine-readable code, the offending field, and whether a retry may help. */
export class LedgerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retriable = false,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The one error shape of every API response, per-event rejection and dead-letter header. */
  toJSON(): ErrorShape {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

export type ErrorShape = { code: string; message: string; field?: string };
