import { LedgerError } from '@rework-ledger/domain';
import { type NewEvent, type StreamAppend, WrongExpectedVersionError } from '../event-store.port';
import { eventKey, placeEvents, planAppend, satisfiesExpectedVersion, validateAppend } from './append-plan';

const event = (id: string, source = 'src'): NewEvent => ({ id, source, type: 't', time: new Date('2025-01-01T00:00:00Z'), data: {} });

describe('planAppend', () => {
  it('given no stored events, when planning, then every event is new and streams are locked in sorted order', () => {
    const appends: StreamAppend[] = [
      { streamId: 'b', expectedVersion: 'any', events: [event('1'), event('2')] },
      { streamId: 'a', expectedVersion: 'any', events: [event('3')] },
    ];
    const plan = planAppend(appends, new Set());
    expect(plan.duplicates).toEqual([]);
    expect(plan.locks).toEqual([
      { streamId: 'a', added: 1 },
      { streamId: 'b', added: 2 },
    ]);
  });

  it('given an event repeated within the call, when planning, then the second occurrence is a duplicate', () => {
    const plan = planAppend(
      [
        { streamId: 'a', expectedVersion: 'any', events: [event('1'), event('1')] },
        { streamId: 'b', expectedVersion: 'any', events: [event('1'), event('1', 'other')] },
      ],
      new Set(),
    );
    expect(plan.duplicates).toEqual([
      { source: 'src', id: '1' },
      { source: 'src', id: '1' },
    ]);
    expect(plan.locks).toEqual([
      { streamId: 'a', added: 1 },
      { streamId: 'b', added: 1 },
    ]);
  });

  it('given every event of an append already stored, when planning, then its stream is not locked and its version not checked', () => {
    const plan = planAppend([{ streamId: 'a', expectedVersion: 'no_stream', events: [event('1')] }], new Set([eventKey('src', '1')]));
    expect(plan.locks).toEqual([]);
    expect(plan.duplicates).toEqual([{ source: 'src', id: '1' }]);
    expect(placeEvents(plan, new Map())).toEqual([]);
  });

  it('given an empty append with an expected version, when planning, then its stream is locked to check the version', () => {
    const plan = planAppend([{ streamId: 'a', expectedVersion: 'stream_exists', events: [] }], new Set());
    expect(plan.locks).toEqual([{ streamId: 'a', added: 0 }]);
    expect(() => placeEvents(plan, new Map([['a', 0n]]))).toThrow(WrongExpectedVersionError);
  });

  it('given an empty append with any version, when planning, then nothing is locked', () => {
    expect(planAppend([{ streamId: 'a', expectedVersion: 'any', events: [] }], new Set()).locks).toEqual([]);
  });
});

describe('placeEvents', () => {
  it('given current versions, when placing, then new events are numbered gaplessly after them', () => {
    const plan = planAppend(
      [
        { streamId: 'a', expectedVersion: 2n, events: [event('1'), event('2')] },
        { streamId: 'b', expectedVersion: 'no_stream', events: [event('3')] },
      ],
      new Set(),
    );
    const placed = placeEvents(
      plan,
      new Map([
        ['a', 2n],
        ['b', 0n],
      ]),
    );
    expect(placed.map((p) => [p.streamId, p.streamVersion, p.event.id])).toEqual([
      ['a', 3n, '1'],
      ['a', 4n, '2'],
      ['b', 1n, '3'],
    ]);
  });

  it('given two appends to one stream in a call, when placing, then the second is checked against the first', () => {
    const plan = planAppend(
      [
        { streamId: 'a', expectedVersion: 'no_stream', events: [event('1')] },
        { streamId: 'a', expectedVersion: 1n, events: [event('2')] },
      ],
      new Set(),
    );
    expect(plan.locks).toEqual([{ streamId: 'a', added: 2 }]);
    expect(placeEvents(plan, new Map([['a', 0n]])).map((p) => p.streamVersion)).toEqual([1n, 2n]);
  });

  it('given a mismatch, when placing, then a typed error names the stream, the expectation and the actual version', () => {
    const plan = planAppend([{ streamId: 'a', expectedVersion: 5n, events: [event('1')] }], new Set());
    let error: unknown;
    try {
      placeEvents(plan, new Map([['a', 3n]]));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ code: 'STREAM.WRONG_EXPECTED_VERSION', streamId: 'a', expected: 5n, actual: 3n });
  });
});

describe('satisfiesExpectedVersion', () => {
  it.each([
    ['any', 0n, true],
    ['any', 7n, true],
    ['no_stream', 0n, true],
    ['no_stream', 1n, false],
    ['stream_exists', 0n, false],
    ['stream_exists', 1n, true],
    [3n, 3n, true],
    [3n, 2n, false],
    [0n, 0n, true],
  ] as const)('expected %s at version %s → %s', (expected, actual, result) => {
    expect(satisfiesExpectedVersion(expected, actual)).toBe(result);
  });
});

describe('validateAppend', () => {
  it('rejects an empty tenant, an empty stream id, a negative version and an invalid time', () => {
    expect(() => validateAppend('', [])).toThrow(LedgerError);
    expect(() => validateAppend('t', [{ streamId: '', expectedVersion: 'any', events: [] }])).toThrow(/streamId/);
    expect(() => validateAppend('t', [{ streamId: 's', expectedVersion: -1n, events: [] }])).toThrow(/expected version/);
    expect(() => validateAppend('t', [{ streamId: 's', expectedVersion: 'any', events: [{ ...event('1'), time: new Date('nope') }] }])).toThrow(/time/);
  });
});
