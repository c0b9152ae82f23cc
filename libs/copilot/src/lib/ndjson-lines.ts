import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** A line of an NDJSON stream and the bytes read up to its end (for a progress bar). */
export type NdjsonLine = Readonly<{ text: string; bytesRead: number }>;

/**
 * The lines of an NDJSON stream, one at a time (node:readline over the stream): memory stays constant whatever the
 * size. Blank lines are skipped; a trailing `\r` is dropped.
 */
export async function* ndjsonLines(input: Readable | WebReadableStream<Uint8Array>): AsyncGenerator<NdjsonLine> {
  const stream = input instanceof Readable ? input : Readable.fromWeb(input);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let bytesRead = 0;
  try {
    for await (const text of lines) {
      bytesRead += Buffer.byteLength(text) + 1;
      if (text.trim().length > 0) yield { text, bytesRead };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
