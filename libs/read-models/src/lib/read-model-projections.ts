import type { Projection } from '@rework-ledger/projections';
import { reworkMetricsProjection } from './rework-metrics/rework-metrics.projection';
import { trainingProjection } from './training/training.projection';
import { usageProjection } from './usage/usage.projection';

/** Every read model of the platform, in one list: what a projector process keeps up to date. */
export const READ_MODEL_PROJECTIONS: readonly Projection[] = [reworkMetricsProjection, trainingProjection, usageProjection];
