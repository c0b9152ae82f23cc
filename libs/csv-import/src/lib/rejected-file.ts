// The rows an import did not store, beside the input, as CSV a person can fix and import again.
import { stringify } from 'csv-stringify/sync';
import { once } from 'node:events';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';

/** `staff.csv` → `staff.rejected.csv` (any other name: `<name>.rejected.csv`), beside the input. */
export function rejectedFilePath(input: string): string {
  return /\.csv$/i.test(input) ? input.replace(/\.csv$/i, '.rejected.csv') : `${input}.rejected.csv`;
}

/** One rejected row: the line it starts on in the input, why, and its cells as read. */
export type RejectedRow = Readonly<{ line: number; reason: string; values: readonly string[] }>;

export interface RejectedFile {
  readonly path: string;
  /** Appends a row (the file is created with the first one), waiting when the disk is behind. */
  write(row: RejectedRow): Promise<void>;
  /** Closes the file; answers how many rows it holds. With none, no file is left (an earlier run's is removed). */
  close(): Promise<number>;
}

/**
 * The rejected-rows file of an input: the columns `line` and `reason`, then the input's own header, so that after fixing
 * the reasons, dropping the first two columns gives a file the same import reads.
 */
export function createRejectedFile(path: string, header: readonly string[]): RejectedFile {
  let out: WriteStream | undefined;
  let failure: Error | undefined;
  let rows = 0;
  return {
    path,
    async write(row) {
      if (failure) throw failure;
      if (out === undefined) {
        out = createWriteStream(path, { encoding: 'utf8' });
        out.on('error', (error) => (failure = error));
        out.write(stringify([['line', 'reason', ...header]]));
      }
      rows += 1;
      if (!out.write(stringify([[String(row.line), row.reason, ...row.values]]))) await once(out, 'drain');
    },
    async close() {
      if (out === undefined) {
        rmSync(path, { force: true });
        return 0;
      }
      if (failure) throw failure;
      out.end();
      await once(out, 'finish');
      return rows;
    },
  };
}
