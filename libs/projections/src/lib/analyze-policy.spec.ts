import { AnalyzePolicy } from './analyze-policy';

describe('the analyze policy: a schema analyzed as it grows', () => {
  /** The counts of events applied at which a schema fed `step` events a batch is analyzed. */
  const analyzedAt = (policy: AnalyzePolicy, schema: string, step: number, upTo: number) => {
    const at: number[] = [];
    for (let applied = step; applied <= upTo; applied += step) if (policy.applied(schema, step)) at.push(applied);
    return at;
  };

  it('given a live schema, then it is analyzed after 2k events, 4k, 8k, … doubling up to 256k, then every 256k', () => {
    expect(analyzedAt(new AnalyzePolicy(), 'rm_x', 1000, 1_000_000)).toEqual([2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 768_000]);
  });

  it('given one batch past several steps, then one analyze per batch until the steps have caught up with the count', () => {
    const policy = new AnalyzePolicy();
    expect(policy.applied('rm_x', 1999)).toBe(false);
    expect(policy.applied('rm_x', 10_000)).toBe(true); // 11 999 ≥ 2000; next step 4000
    expect(policy.applied('rm_x', 1)).toBe(true); // 12 000 ≥ 4000; next 8000
    expect(policy.applied('rm_x', 1)).toBe(true); // 12 001 ≥ 8000; next 16 000
    expect(policy.applied('rm_x', 1)).toBe(false);
  });

  it('given a schema being rebuilt (full or one tenant), then it is never analyzed while it fills', () => {
    const policy = new AnalyzePolicy();
    expect(policy.applied('rm_x__rebuild', 1_000_000)).toBe(false);
    expect(policy.applied('rm_x__tenant_rebuild', 1_000_000)).toBe(false);
  });

  it('given a rebuilt schema swapped in with n events, then it is next analyzed once it has doubled', () => {
    const policy = new AnalyzePolicy();
    policy.rebuilt('rm_x', 10_000);
    expect(policy.applied('rm_x', 9_999)).toBe(false);
    expect(policy.applied('rm_x', 1)).toBe(true);
  });

  it('given a schema forgotten (created afresh), then its count starts again', () => {
    const policy = new AnalyzePolicy();
    policy.applied('rm_x', 1500);
    policy.forget('rm_x');
    expect(policy.applied('rm_x', 1000)).toBe(false);
    expect(policy.applied('rm_x', 1000)).toBe(true);
  });
});
