import { Logger } from '@nestjs/common';
import { generateOrganisation, preset, withUsageReports } from '@rework-ledger/demo-data';
import type { EventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion';

export type DemoDataProgress = {
  state: 'disabled' | 'skipped' | 'loading' | 'loaded' | 'failed';
  tenant: string | null;
  eventsLoaded: number;
  error?: string;
};

/**
 * Loads the synthetic demo organisation (PRODUCT.md demo) into the event store in the background, through the
 * same validation and append path as HTTP ingestion. Skipped when the tenant already has events.
 */
export class DemoDataLoader {
  private readonly logger = new Logger('demo-data');
  readonly progress: DemoDataProgress = { state: 'disabled', tenant: null, eventsLoaded: 0 };

  constructor(
    private readonly store: EventStore,
    private readonly onBatchStored: () => void = () => undefined,
  ) {}

  /** Starts loading; resolves when done. `now` ends the demo period (the start of today, so that a replay is stable). */
  async load(tenant: string, now: Date, batchSize = 2000): Promise<void> {
    this.progress.tenant = tenant;
    if ((await this.store.readAll({ tenant, limit: 1 })).length > 0) {
      this.progress.state = 'skipped';
      this.logger.log(`tenant ${tenant} already has events: demo data not loaded again`);
      return;
    }
    this.progress.state = 'loading';
    try {
      const organisation = generateOrganisation(preset('demo', { now, tenant }));
      let batch: unknown[] = [];
      const flush = async () => {
        const result = await ingestEvents(this.store, tenant, batch);
        if (result.rejected.length > 0) throw new Error(`demo data rejected: ${JSON.stringify(result.rejected[0].errors)}`);
        this.progress.eventsLoaded += batch.length;
        batch = [];
        this.onBatchStored();
      };
      // With daily usage reports derived from the outputs, so that adoption and spend show beside the rework.
      for (const event of withUsageReports(organisation.iterateEvents())) {
        batch.push(event);
        if (batch.length >= batchSize) await flush();
      }
      if (batch.length > 0) await flush();
      this.progress.state = 'loaded';
      this.logger.log(`demo organisation loaded for tenant ${tenant}: ${this.progress.eventsLoaded} events`);
    } catch (error) {
      this.progress.state = 'failed';
      this.progress.error = (error as Error).message;
      this.logger.error(`demo data failed: ${(error as Error).message}`);
    }
  }
}

export const DEMO_DATA_LOADER = Symbol('DemoDataLoader');
