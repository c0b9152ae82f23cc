import { SeededRandom } from '@rework-ledger/domain';

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

  /**
   * Draws `n` indices in [0, n) (as `index(n)` would, in the same order) and adds 1 to
   * `weights[index × stride + lane]` for each: one bootstrap resample's multiplicities. The state is kept in locals.
   */
  addDraws(n: number, weights: Float32Array, stride: number, lane: number): void {
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    for (let k = 0; k < n; k++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      weights[Math.floor(((t >>> 0) / 4294967296) * n) * stride + lane] += 1;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  /** An independent copy at the same position (so that two analyses can each redraw from the same point). */
  clone(): ResampleStream {
    const copy = Object.create(ResampleStream.prototype) as ResampleStream;
    copy.a = this.a;
    copy.b = this.b;
    copy.c = this.c;
    copy.d = this.d;
    return copy;
  }
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
