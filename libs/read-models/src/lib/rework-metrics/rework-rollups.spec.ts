import { type OutputChange, placesOf, withoutCancellingPairs } from './rework-rollups';

/** An output of alice's on team a, as a statement answers it changed (sign), with what differs. */
function change(sign: 1 | -1, overrides: Partial<OutputChange> = {}): OutputChange {
  return {
    sign,
    tenant: 't1',
    output_id: 'o1',
    generated_at: new Date('2026-03-02T10:00:00Z'),
    employee_id: 'alice',
    team: 'a',
    tool: 'copilot',
    task_type: 'coding',
    model: null,
    corrections: 0,
    rewrites: 0,
    double_checks: 0,
    discards: 0,
    correction_minutes: 0,
    rewrite_minutes: 0,
    double_check_minutes: 0,
    discard_minutes: 0,
    lost_cost_known: 0,
    unknown_cost_minutes: 0,
    minutes_saved_estimate: null,
    author_hourly_cost: null,
    ...overrides,
  };
}

const O1 = 't1\u0000o1';

describe('placesOf: whether a batch moved each output between rollup cells, and its net count of changes', () => {
  it('given a reworked output (before and after in the same cells), then it stayed, net 0', () => {
    expect(placesOf([change(-1), change(1, { corrections: 1, correction_minutes: 5 })]).get(O1)).toMatchObject({ moved: false, net: 0 });
  });

  it('given an output generated and reworked in the same batch, then it stayed, net 1 (new: its employee enters its cells)', () => {
    expect(placesOf([change(1), change(-1), change(1, { corrections: 1 })]).get(O1)).toMatchObject({ moved: false, net: 1 });
  });

  it('given a late assignment (another team), an identity link (another employee) or a model, then it moved', () => {
    expect(placesOf([change(-1), change(1, { team: 'b' })]).get(O1)).toMatchObject({ moved: true, net: 0 });
    expect(placesOf([change(-1), change(1, { employee_id: 'bob' })]).get(O1)).toMatchObject({ moved: true, net: 0 });
    expect(placesOf([change(-1), change(1, { model: '' })]).get(O1)).toMatchObject({ moved: true, net: 0 });
  });

  it('given two outputs, then each is judged on its own changes', () => {
    const other = { output_id: 'o2' };
    const places = placesOf([change(-1), change(1, { rewrites: 1 }), change(-1, other), change(1, { ...other, tool: 'chatgpt' })]);
    expect([...places]).toMatchObject([
      [O1, { moved: false, net: 0 }],
      ['t1\u0000o2', { moved: true, net: 0 }],
    ]);
  });
});

describe('withoutCancellingPairs: the changes less an after and a before of the same state of an output', () => {
  it('given an output generated, then reworked, in the same batch, then only where it ends up is left', () => {
    const reworked = change(1, { corrections: 1, correction_minutes: 5 });
    expect(withoutCancellingPairs([change(1), change(-1), reworked])).toEqual([reworked]);
  });

  it('given an output reworked in place, or moved, then nothing cancels (its before and after differ)', () => {
    const inPlace = [change(-1), change(1, { rewrites: 1 })];
    expect(withoutCancellingPairs(inPlace)).toEqual(inPlace);
    const moved = [change(-1), change(1, { team: 'b' })];
    expect(withoutCancellingPairs(moved)).toEqual(moved);
  });

  it('given the same state of two outputs, or a figure that differs by null, then nothing cancels', () => {
    const twoOutputs = [change(1), change(-1, { output_id: 'o2' })];
    expect(withoutCancellingPairs(twoOutputs)).toEqual(twoOutputs);
    const nullOrZero = [change(1, { minutes_saved_estimate: 0 }), change(-1)];
    expect(withoutCancellingPairs(nullOrZero)).toEqual(nullOrZero);
  });

  it('given a state answered twice as after and once as before, then one pair cancels', () => {
    expect(withoutCancellingPairs([change(1), change(1), change(-1)])).toEqual([change(1)]);
  });
});
