import type { SeatCost } from '@rework-ledger/domain';
import type { DataSource } from 'typeorm';
import { TenantSettingsEntity } from './tenant-settings.entity';

/** The settings a tenant's metrics are computed with. */
export type TenantSettings = Readonly<{
  tenant: string;
  currency: string;
  defaultHourlyCost: number;
  minutesSavedByTaskType: Readonly<Record<string, number>>;
  privacyMinGroupSize: number;
  /** Licence seats per tool, which add to usage spend (none by default). */
  seatCosts: readonly SeatCost[];
}>;

export type PlatformDefaults = Omit<TenantSettings, 'tenant' | 'seatCosts'>;

/** Minutes an AI output saves when its event carries no estimate, per task type (overridable per tenant). */
export const DEFAULT_MINUTES_SAVED_BY_TASK_TYPE: Readonly<Record<string, number>> = {
  drafting: 20,
  analysis: 30,
  'decision-support': 15,
  automation: 25,
  coding: 30,
  other: 10,
};

export interface TenantSettingsStore {
  get(tenant: string): Promise<TenantSettings>;
  update(tenant: string, changes: Partial<Omit<TenantSettings, 'tenant'>>): Promise<TenantSettings>;
}

export function createTenantSettingsStore(dataSource: DataSource, defaults: PlatformDefaults): TenantSettingsStore {
  const repository = dataSource.getRepository(TenantSettingsEntity);
  const resolve = (tenant: string, row: TenantSettingsEntity | null): TenantSettings => ({
    tenant,
    currency: row?.currency ?? defaults.currency,
    defaultHourlyCost: row?.defaultHourlyCost ?? defaults.defaultHourlyCost,
    minutesSavedByTaskType: { ...defaults.minutesSavedByTaskType, ...(row?.minutesSavedByTaskType ?? {}) },
    privacyMinGroupSize: row?.privacyMinGroupSize ?? defaults.privacyMinGroupSize,
    seatCosts: row?.seatCosts ?? [],
  });
  return {
    async get(tenant) {
      return resolve(tenant, await repository.findOneBy({ tenant }));
    },
    async update(tenant, changes) {
      await repository.upsert(
        {
          tenant,
          ...(changes.currency !== undefined ? { currency: changes.currency } : {}),
          ...(changes.defaultHourlyCost !== undefined ? { defaultHourlyCost: changes.defaultHourlyCost } : {}),
          ...(changes.minutesSavedByTaskType !== undefined ? { minutesSavedByTaskType: { ...changes.minutesSavedByTaskType } } : {}),
          ...(changes.privacyMinGroupSize !== undefined ? { privacyMinGroupSize: changes.privacyMinGroupSize } : {}),
          ...(changes.seatCosts !== undefined ? { seatCosts: changes.seatCosts.map((seat) => ({ ...seat })) } : {}),
          updatedAt: new Date(),
        },
        ['tenant'],
      );
      return resolve(tenant, await repository.findOneBy({ tenant }));
    },
  };
}
