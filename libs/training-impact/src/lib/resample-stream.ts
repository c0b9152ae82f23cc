import { SeededRandom } from '@rework-ledger/domain';
import { STREAM_STATE_WORDS } from './course-impact.bootstrap-kernel';

/**
 * The random stream of one bootstrap resample: `new ResampleStream(seed, resampleNumber)`.
 * One stream per resample makes every resample reproducible on its own, whatever the order or batching in
 * which resamples are computed, and lets a redrawn resample continue its own stream.
 */
export class ResampleStream extends SeededRandom {
  /** A uniform index in [0, n): ⌊u · n / 2³²⌋ (bias below n / 2³², irrelevant for n ≤ millions). */
  index(n: number): number {
    return Math.floor((this.uint32() / 4294967296) * n);
  }

  /** Writes the stream's sfc32 state (a, b, c, d) at `states[at..at + 3]`: the bootstrap kernel continues it. */
  writeState(states: Int32Array, at: number): void {
    states[at] = this.a;
    states[at + 1] = this.b;
    states[at + 2] = this.c;
    states[at + 3] = this.d;
  }
}

/** The starting states of the streams of resamples first, …, first + count − 1 (seed), for the bootstrap kernel. */
export function resampleStreamStates(seed: number, first: number, count: number): Int32Array<ArrayBuffer> {
  const states = new Int32Array(count * STREAM_STATE_WORDS);
  for (let k = 0; k < count; k++) new ResampleStream(seed, first + k).writeState(states, k * STREAM_STATE_WORDS);
  return states;
}

/**
 * The p-quantile of sorted values by linear interpolation between order statistics (Hyndman–Fan type 7, the
 * default of R and NumPy): h = (n − 1) p, x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋).
 */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of no values');
  const h = (n - 1) * p;
  const low = Math.floor(h);
  const high = Math.min(low + 1, n - 1);
  return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
}

/** The 2.5 % and 97.5 % quantiles (type 7) of the values: a percentile bootstrap interval. */
export function percentileInterval95(values: Float64Array): [number, number] {
  const sorted = values.slice().sort();
  return [quantileOfSorted(sorted, 0.025), quantileOfSorted(sorted, 0.975)];
}
