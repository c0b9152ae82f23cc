import { LedgerError } from '@rework-ledger/domain';
import type { TrainingResolvers } from './statement-mapping';

/** Runs a parameterised SQL query (a TypeORM DataSource does); the shape of read-models' `SqlQueryable`. */
export interface SqlQueryable {
  query<T = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<T[]>;
}

/**
 * The training read model's query that resolves a statement's course: pass read-models' `courseByActivityId`.
 * Injected by the app, because an ingestion library may not depend on the analytics scope. (Learners are not looked
 * up: the read models resolve their identifiers through the identity links.)
 */
export type TrainingLookups = Readonly<{
  courseByActivityId(db: SqlQueryable, tenant: string, activityId: string): Promise<string | undefined>;
}>;

export const TRAINING_LOOKUPS = Symbol('XapiTrainingLookups');

// undefined_table: the projection runner has not created the read model yet (a fresh database, just started).
const UNDEFINED_TABLE = '42P01';

/**
 * The lookups bound to a database and a tenant. A read model that does not exist yet is a retriable error (503):
 * resolving against nothing would silently make every registered activity a course of its own.
 */
export function bindTrainingLookups(lookups: TrainingLookups, db: SqlQueryable, tenant: string): TrainingResolvers {
  const guarded = async <T>(lookup: () => Promise<T>): Promise<T> => {
    try {
      return await lookup();
    } catch (error) {
      const code = (error as { code?: unknown; driverError?: { code?: unknown } }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
      if (code === UNDEFINED_TABLE) throw new LedgerError('XAPI.READ_MODEL_NOT_READY', 'the training read model is not built yet; retry shortly', undefined, true);
      throw error;
    }
  };
  return {
    courseByActivityId: (activityId) => guarded(() => lookups.courseByActivityId(db, tenant, activityId)),
  };
}
