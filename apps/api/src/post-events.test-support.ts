// Test helper of the API's end-to-end tests: events sent as a real producer sends them, then the read models caught up.
import type { INestApplication } from '@nestjs/common';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';

/** POSTs the events in batches of 1000 with an ingest key (each must be accepted: 202), then waits for every projection. */
export async function postEventsAndCatchUp(app: INestApplication, baseUrl: string, key: string, events: readonly unknown[], timeoutMs = 60_000): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const response = await fetch(`${baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(events.slice(i, i + 1000)),
    });
    expect(response.status).toBe(202);
  }
  for (const runner of app.get<ProjectionRunner[]>(PROJECTION_RUNNERS)) await runner.waitUntilCaughtUp(timeoutMs);
}
