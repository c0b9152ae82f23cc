import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS } from '@rework-ledger/contracts';
import { type ErrorShape, LedgerError } from '@rework-ledger/domain';
import type { CloudEventJson } from './cloud-event-message';

export type HttpSenderOptions = Readonly<{
  /** The API's base URL, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** An API key with the `ingest` scope; its tenant is the events' tenant. */
  apiKey: string;
  /** Retries of a request that failed on the network, with 429 or with a 5xx (default 5). Safe: the API deduplicates. */
  retries?: number;
  /** First backoff between retries in ms, doubling (default 200). */
  retryDelayMs?: number;
  fetch?: typeof fetch;
}>;

/** What the API answered for the events sent, summed over requests; `index` counts from the first event given. */
export type HttpSendResult = {
  /** Newly stored (the API writes to the store directly). */
  accepted: number;
  /** Acknowledged by the broker (the API ingests through Kafka); duplicates are then resolved downstream. */
  queued: number;
  duplicates: number;
  rejected: { index: number; id?: string; errors: ErrorShape[] }[];
};

/** The API refused a request as a whole (bad key, missing scope, body too large) or stayed unreachable. */
export class HttpSendError extends LedgerError {}

export interface HttpTelemetrySender {
  /** Posts the events in batches of at most 1000 events and 5 MiB, in order. `firstIndex` numbers the rejections. */
  send(events: readonly CloudEventJson[], firstIndex?: number): Promise<HttpSendResult>;
}

const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';
// Room for the brackets and commas around the events and for a margin under the API's limit.
const BATCH_BYTES = MAX_BATCH_BYTES - 64 * 1024;

/** Sends CloudEvents to `POST /v1/events` as batches (`application/cloudevents-batch+json`). */
export function createHttpTelemetrySender(options: HttpSenderOptions): HttpTelemetrySender {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/v1/events`;
  const retries = options.retries ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;

  async function post(body: string): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      try {
        const response = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': BATCH_CONTENT_TYPE, authorization: `Bearer ${options.apiKey}` },
          body,
        });
        const text = await response.text();
        const parsed = parseBody(text);
        if (response.status === 202 || response.status === 400) {
          if (Array.isArray(parsed['rejected'])) return parsed;
        }
        if (response.status !== 429 && response.status < 500) {
          throw new HttpSendError(String(parsed['code'] ?? `HTTP.${response.status}`), `the API answered ${response.status}: ${String(parsed['message'] ?? text.slice(0, 200))}`);
        }
        failure = `HTTP ${response.status} ${String(parsed['code'] ?? '')}`.trim();
      } catch (error) {
        if (error instanceof HttpSendError) throw error;
        failure = (error as Error).message;
      }
      if (attempt >= retries) throw new HttpSendError('HTTP.UNAVAILABLE', `gave up after ${attempt + 1} attempts: ${failure}`, undefined, true);
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** attempt));
    }
  }

  return {
    async send(events, firstIndex = 0) {
      const result: HttpSendResult = { accepted: 0, queued: 0, duplicates: 0, rejected: [] };
      let start = 0;
      while (start < events.length) {
        const parts: string[] = [];
        let bytes = 2;
        let end = start;
        while (end < events.length && parts.length < MAX_BATCH_EVENTS) {
          const json = JSON.stringify(events[end]);
          const size = Buffer.byteLength(json) + 1;
          if (parts.length > 0 && bytes + size > BATCH_BYTES) break;
          parts.push(json);
          bytes += size;
          end++;
        }
        const answer = await post(`[${parts.join(',')}]`);
        result.accepted += Number(answer['accepted'] ?? 0);
        result.queued += Number(answer['queued'] ?? 0);
        result.duplicates += Number(answer['duplicates'] ?? 0);
        for (const rejection of answer['rejected'] as HttpSendResult['rejected']) {
          result.rejected.push({ ...rejection, index: firstIndex + start + rejection.index });
        }
        start = end;
      }
      return result;
    },
  };
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
