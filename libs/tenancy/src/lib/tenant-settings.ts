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
  /** OTLP: the `gen_ai.operation.name` values whose spans are AI outputs (without `rework_ledger.output`). */
  otlpOutputOperations: readonly string[];
  /** OTLP: the minutes a Claude Code edit rejected by a person costs (`ai.output.discarded`). */
  discardMinutes: number;
}>;

type ConnectorSettings = 'otlpOutputOperations' | 'discardMinutes';

/** The platform's defaults; the connector settings have built-in ones ({@link DEFAULT_OTLP_OUTPUT_OPERATIONS}...). */
export type PlatformDefaults = Omit<TenantSettings, 'tenant' | 'seatCosts' | ConnectorSettings> & Partial<Pick<TenantSettings, ConnectorSettings>>;

/** GenAI operations whose spans are outputs unless a tenant says otherwise (PRODUCT.md, "Connectors"). */
export const DEFAULT_OTLP_OUTPUT_OPERATIONS: readonly string[] = ['chat', 'text_completion', 'generate_content'];
/** Minutes a rejected Claude Code edit costs unless a tenant says otherwise. */
export const DEFAULT_DISCARD_MINUTES = 2;

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
    otlpOutputOperations: row?.otlpOutputOperations ?? defaults.otlpOutputOperations ?? DEFAULT_OTLP_OUTPUT_OPERATIONS,
    discardMinutes: row?.discardMinutes ?? defaults.discardMinutes ?? DEFAULT_DISCARD_MINUTES,
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
          ...(changes.otlpOutputOperations !== undefined ? { otlpOutputOperations: [...changes.otlpOutputOperations] } : {}),
          ...(changes.discardMinutes !== undefined ? { discardMinutes: changes.discardMinutes } : {}),
          updatedAt: new Date(),
        },
        ['tenant'],
      );
      return resolve(tenant, await repository.findOneBy({ tenant }));
    },
  };
}
