import type { SeatCost } from '@rework-ledger/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per-tenant overrides of the platform defaults; a null column falls back to the default. */
@Entity({ name: 'tenant_settings' })
export class TenantSettingsEntity {
  @PrimaryColumn('text') tenant: string;
  @Column('text', { nullable: true }) currency: string | null;
  @Column('float8', { name: 'default_hourly_cost', nullable: true }) defaultHourlyCost: number | null;
  @Column('jsonb', { name: 'minutes_saved_by_task_type', nullable: true }) minutesSavedByTaskType: Record<string, number> | null;
  @Column('int', { name: 'privacy_min_group_size', nullable: true }) privacyMinGroupSize: number | null;
  /** Licence seats per tool (see SeatCost); null: none. */
  @Column('jsonb', { name: 'seat_costs', nullable: true }) seatCosts: SeatCost[] | null;
  @Column('jsonb', { name: 'otlp_output_operations', nullable: true }) otlpOutputOperations: string[] | null;
  @Column('float8', { name: 'discard_minutes', nullable: true }) discardMinutes: number | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
