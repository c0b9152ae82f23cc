// The employee bootstrap's kernel, run by the calling thread and by the worker threads alike. It imports nothing at run
// time (types only), so that a worker loads it without the workspace's path aliases; the streams come in already
// seeded (resample-stream.ts), four int32 of sfc32 state per resample.
import type { ComparisonGroups, ImpactPlan } from './course-impact.design';

/** Bootstrap weights are stored employee-major, this many resamples side by side (the kernel is unrolled for 8). */
export const LANES = 8;

/** A resample without a trainee is drawn again, at most this many times (then the interval is not given). */
export const MAX_REDRAWS = 10_000;

/** The int32 words of one stream's state in `streamStates` (sfc32: a, b, c, d). */
export const STREAM_STATE_WORDS = 4;

/** Bootstrap ATTs of the estimate and of the placebo; null where a comparison has no trainee or could not be resampled. */
export type BootstrapDraws = { main: Float64Array<ArrayBuffer> | null; placebo: Float64Array<ArrayBuffer> | null };

/** The draws of a run of resamples, and how many of them each comparison had to draw again (diagnostics, tests). */
export type ResampledEmployees = BootstrapDraws & { redrawn: { main: number; placebo: number } };

/**
 * Bootstrap ATTs resampling employees, one per stream of `streamStates` (resample k starts at the k-th state): each
 * resample draws `employeeCount` employees with replacement (indices in employee-id order); an employee drawn k times
 * weighs k as trainee and as control; a trainee with no drawn control is left out; a resample with no trainee left is
 * drawn again, continuing its own stream. Every resample depends on its own stream only, so any split of the streams
 * into runs gives the same draws.
 */
export function resampleEmployees(plan: ImpactPlan, employeeCount: number, streamStates: Int32Array): ResampledEmployees {
  const resamples = streamStates.length / STREAM_STATE_WORDS;
  const redrawn = { main: 0, placebo: 0 };
  const wanted = { main: plan.main.traineeDelta.length > 0, placebo: plan.placebo.traineeDelta.length > 0 };
  const main = wanted.main ? new Float64Array(resamples) : null;
  const placebo = wanted.placebo ? new Float64Array(resamples) : null;
  if (main === null && placebo === null) return { main, placebo, redrawn };
  const weights = new Float32Array(employeeCount * LANES);
  const sums = new Sums();
  const scratch = { weights: new Float32Array(0), sums: new Sums() };
  const streams: DrawStream[] = [];
  let mainFailed = false;
  let placeboFailed = false;
  for (let first = 0; first < resamples; first += LANES) {
    const lanes = Math.min(LANES, resamples - first);
    weights.fill(0);
    for (let lane = 0; lane < lanes; lane++) {
      const stream = DrawStream.from(streamStates, first + lane);
      stream.addDraws(employeeCount, weights, LANES, lane);
      streams[lane] = stream;
    }
    accumulate(plan, weights, sums);
    for (let lane = 0; lane < lanes; lane++) {
      if (main !== null && !mainFailed) {
        let value: number | null;
        if (sums.mainDen[lane] > 0) value = sums.mainNum[lane] / sums.mainDen[lane];
        else {
          redrawn.main++;
          value = redraw(plan, streams[lane].clone(), employeeCount, 'main', scratch);
        }
        if (value === null) mainFailed = true;
        else main[first + lane] = value;
      }
      if (placebo !== null && !placeboFailed) {
        let value: number | null;
        if (sums.placeboDen[lane] > 0) value = sums.placeboNum[lane] / sums.placeboDen[lane];
        else {
          redrawn.placebo++;
          value = redraw(plan, streams[lane].clone(), employeeCount, 'placebo', scratch);
        }
        if (value === null) placeboFailed = true;
        else placebo[first + lane] = value;
      }
    }
  }
  return { main: mainFailed ? null : main, placebo: placeboFailed ? null : placebo, redrawn };
}

/** One resample's sfc32 stream, from the state ResampleStream seeded, drawing bootstrap multiplicities. */
class DrawStream {
  private constructor(
    private a: number,
    private b: number,
    private c: number,
    private d: number,
  ) {}

  /** The stream of resample k of `streamStates`. */
  static from(streamStates: Int32Array, k: number): DrawStream {
    const at = k * STREAM_STATE_WORDS;
    return new DrawStream(streamStates[at], streamStates[at + 1], streamStates[at + 2], streamStates[at + 3]);
  }

  /**
   * Draws `n` indices in [0, n) (as `ResampleStream.index(n)` would, in the same order) and adds 1 to
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
  clone(): DrawStream {
    return new DrawStream(this.a, this.b, this.c, this.d);
  }
}

/** Draws one resample again (lane 0 of a fresh block) until it has a trainee; null after MAX_REDRAWS. */
function redraw(
  plan: ImpactPlan,
  stream: DrawStream,
  employeeCount: number,
  comparison: 'main' | 'placebo',
  scratch: { weights: Float32Array; sums: Sums },
): number | null {
  if (scratch.weights.length === 0) scratch.weights = new Float32Array(employeeCount * LANES);
  const { weights, sums } = scratch;
  for (let attempt = 0; attempt < MAX_REDRAWS; attempt++) {
    weights.fill(0);
    stream.addDraws(employeeCount, weights, LANES, 0);
    accumulate(plan, weights, sums);
    const num = comparison === 'main' ? sums.mainNum[0] : sums.placeboNum[0];
    const den = comparison === 'main' ? sums.mainDen[0] : sums.placeboDen[0];
    if (den > 0) return num / den;
  }
  return null;
}

/** Per lane: the running control sums Σ wⱼΔⱼ and Σ wⱼ, and the numerator and denominator of each comparison. */
class Sums {
  readonly controlDelta = new Float64Array(LANES);
  readonly controlWeight = new Float64Array(LANES);
  readonly adjustedDelta = new Float64Array(LANES);
  readonly adjustedWeight = new Float64Array(LANES);
  readonly mainNum = new Float64Array(LANES);
  readonly mainDen = new Float64Array(LANES);
  readonly placeboNum = new Float64Array(LANES);
  readonly placeboDen = new Float64Array(LANES);
}

/**
 * The hot loop: for LANES resamples at once (weights employee-major), walk the steps keeping Σ wⱼΔⱼ and Σ wⱼ over
 * C(e) through its changes, and add each group's Σᵢ wᵢ (Δᵢ − Σⱼ wⱼΔⱼ / Σⱼ wⱼ) and Σᵢ wᵢ when a control was drawn.
 * The running sums are held in locals inside each loop (written out for eight lanes).
 */
function accumulate(plan: ImpactPlan, w: Float32Array, sums: Sums): void {
  const { controlDelta: S, controlWeight: T } = sums;
  S.fill(0);
  T.fill(0);
  sums.mainNum.fill(0);
  sums.mainDen.fill(0);
  sums.placeboNum.fill(0);
  sums.placeboDen.fill(0);
  const { changeStart, changeOffset, changeDelta, enterStart, enterOffset, leaveStart, leaveOffset, main, placebo } = plan;
  const { correctionStart, correctionOffset, correctionDelta } = plan;
  const { adjustedDelta: A, adjustedWeight: B } = sums;
  let nextMain = 0;
  let nextPlacebo = 0;
  for (let u = 0; u < plan.steps; u++) {
    let s0 = S[0], s1 = S[1], s2 = S[2], s3 = S[3], s4 = S[4], s5 = S[5], s6 = S[6], s7 = S[7]; // prettier-ignore
    for (let k = changeStart[u], end = changeStart[u + 1]; k < end; k++) {
      const o = changeOffset[k];
      const x = changeDelta[k];
      s0 += w[o] * x;
      s1 += w[o + 1] * x;
      s2 += w[o + 2] * x;
      s3 += w[o + 3] * x;
      s4 += w[o + 4] * x;
      s5 += w[o + 5] * x;
      s6 += w[o + 6] * x;
      s7 += w[o + 7] * x;
    }
    S[0] = s0; S[1] = s1; S[2] = s2; S[3] = s3; S[4] = s4; S[5] = s5; S[6] = s6; S[7] = s7; // prettier-ignore
    let t0 = T[0], t1 = T[1], t2 = T[2], t3 = T[3], t4 = T[4], t5 = T[5], t6 = T[6], t7 = T[7]; // prettier-ignore
    for (let k = enterStart[u], end = enterStart[u + 1]; k < end; k++) {
      const o = enterOffset[k];
      t0 += w[o];
      t1 += w[o + 1];
      t2 += w[o + 2];
      t3 += w[o + 3];
      t4 += w[o + 4];
      t5 += w[o + 5];
      t6 += w[o + 6];
      t7 += w[o + 7];
    }
    for (let k = leaveStart[u], end = leaveStart[u + 1]; k < end; k++) {
      const o = leaveOffset[k];
      t0 -= w[o];
      t1 -= w[o + 1];
      t2 -= w[o + 2];
      t3 -= w[o + 3];
      t4 -= w[o + 4];
      t5 -= w[o + 5];
      t6 -= w[o + 6];
      t7 -= w[o + 7];
    }
    T[0] = t0; T[1] = t1; T[2] = t2; T[3] = t3; T[4] = t4; T[5] = t5; T[6] = t6; T[7] = t7; // prettier-ignore
    if (nextMain < main.groups && main.step[nextMain] === u) {
      addGroup(main, nextMain, w, S, T, sums.mainNum, sums.mainDen);
      nextMain++;
    }
    if (nextPlacebo < placebo.groups && placebo.step[nextPlacebo] === u) {
      // The placebo's controls: C(e) without the members who completed before its d + W.
      for (let k = correctionStart[nextPlacebo], end = correctionStart[nextPlacebo + 1]; k < end; k++) {
        const o = correctionOffset[k];
        const x = correctionDelta[k];
        s0 -= w[o] * x;
        s1 -= w[o + 1] * x;
        s2 -= w[o + 2] * x;
        s3 -= w[o + 3] * x;
        s4 -= w[o + 4] * x;
        s5 -= w[o + 5] * x;
        s6 -= w[o + 6] * x;
        s7 -= w[o + 7] * x;
        t0 -= w[o];
        t1 -= w[o + 1];
        t2 -= w[o + 2];
        t3 -= w[o + 3];
        t4 -= w[o + 4];
        t5 -= w[o + 5];
        t6 -= w[o + 6];
        t7 -= w[o + 7];
      }
      A[0] = s0; A[1] = s1; A[2] = s2; A[3] = s3; A[4] = s4; A[5] = s5; A[6] = s6; A[7] = s7; // prettier-ignore
      B[0] = t0; B[1] = t1; B[2] = t2; B[3] = t3; B[4] = t4; B[5] = t5; B[6] = t6; B[7] = t7; // prettier-ignore
      addGroup(placebo, nextPlacebo, w, A, B, sums.placeboNum, sums.placeboDen);
      nextPlacebo++;
    }
  }
}

/** Adds group g's Σᵢ wᵢ (Δᵢ − controlDelta / controlWeight) and Σᵢ wᵢ to each lane that drew a control. */
function addGroup(
  groups: ComparisonGroups,
  g: number,
  w: Float32Array,
  controlDelta: Float64Array,
  controlWeight: Float64Array,
  num: Float64Array,
  den: Float64Array,
): void {
  const first = groups.traineeStart[g];
  const end = groups.traineeStart[g + 1];
  if (first === end) return;
  for (let lane = 0; lane < LANES; lane++) {
    if (!(controlWeight[lane] > 0)) continue;
    let weighted = 0;
    let weight = 0;
    for (let k = first; k < end; k++) {
      const wi = w[groups.traineeOffset[k] + lane];
      weighted += wi * groups.traineeDelta[k];
      weight += wi;
    }
    num[lane] += weighted - (weight * controlDelta[lane]) / controlWeight[lane];
    den[lane] += weight;
  }
}
