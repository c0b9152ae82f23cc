/**
 * The random stream of one bootstrap resample: sfc32 seeded through splitmix32 from (seed, resample number).
 * One stream per resample makes every resample reproducible on its own, whatever the order or batching in
 * which resamples are computed, and lets a redrawn resample continue its own stream.
 */
export class ResampleStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, resample: number) {
    let state = (foldSeed(seed) ^ Math.imul(resample + 1, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

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

function foldSeed(seed: number): number {
  const integer = Number.isFinite(seed) ? Math.floor(Math.abs(seed)) : 0;
  return (integer ^ Math.floor(integer / 4294967296) ^ (seed < 0 ? 0x5bd1e995 : 0)) >>> 0;
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
