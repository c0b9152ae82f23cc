import { resampleEmployees, type BootstrapDraws } from './course-impact.bootstrap-kernel';
import type { ComparisonGroups, ImpactPlan } from './course-impact.design';
import { ResampleStream, resampleStreamStates } from './resample-stream';

export { MAX_REDRAWS, type BootstrapDraws } from './course-impact.bootstrap-kernel';

export type PointEstimate = { att: number; naive: number; effects: Float64Array };

/** ATT, naive, and each trainee's effect (in group order) of one comparison; null without trainees. */
export function pointEstimate(comparison: ComparisonGroups): PointEstimate | null {
  const trainees = comparison.traineeDelta.length;
  if (trainees === 0) return null;
  const effects = new Float64Array(trainees);
  let effectSum = 0;
  let naiveSum = 0;
  for (let g = 0; g < comparison.groups; g++) {
    const first = comparison.traineeStart[g];
    const end = comparison.traineeStart[g + 1];
    if (first === end) continue;
    const controlMean = comparison.controlSum[g] / comparison.controlCount[g];
    for (let k = first; k < end; k++) {
      effects[k] = comparison.traineeDelta[k] - controlMean;
      effectSum += effects[k];
      naiveSum += comparison.traineeDelta[k];
    }
  }
  return { att: effectSum / trainees, naive: naiveSum / trainees, effects };
}

/**
 * Bootstrap ATTs resampling employees, on the calling thread: resample r uses stream (seed, r), so the estimate and the
 * placebo see the same first draws and any batching — or split over worker threads — gives the same result.
 */
export function employeeBootstrap(plan: ImpactPlan, employeeCount: number, resamples: number, seed: number): BootstrapDraws {
  const { main, placebo } = resampleEmployees(plan, employeeCount, resampleStreamStates(seed, 0, resamples));
  return { main, placebo };
}

/** Bootstrap ATTs resampling the eligible trainees only (their effects fixed, the control means not resampled). */
export function traineeBootstrap(effects: Float64Array, resamples: number, seed: number): Float64Array<ArrayBuffer> | null {
  const n = effects.length;
  if (n === 0) return null;
  const result = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const stream = new ResampleStream(seed, r);
    let sum = 0;
    for (let k = 0; k < n; k++) sum += effects[stream.index(n)];
    result[r] = sum / n;
  }
  return result;
}
