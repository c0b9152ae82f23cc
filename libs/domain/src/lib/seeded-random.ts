/**
 * sfc32, seeded through splitmix32 from a seed and a stream number: a small, fast, reproducible generator. Streams of
 * the same seed are independent, so draws added to one never shift another. Shared by the synthetic organisation and
 * the bootstrap, which need exactly reproducible draws (never `Math.random`).
 */
export class SeededRandom {
  protected a: number;
  protected b: number;
  protected c: number;
  protected d: number;

  constructor(seed: number, stream = 0) {
    let state = (foldSeed(seed) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
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
}

/** Non-integer and negative seeds are folded into 32 bits deterministically. */
function foldSeed(seed: number): number {
  const integer = Number.isFinite(seed) ? Math.floor(Math.abs(seed)) : 0;
  return (integer ^ Math.floor(integer / 4294967296) ^ (seed < 0 ? 0x5bd1e995 : 0)) >>> 0;
}
