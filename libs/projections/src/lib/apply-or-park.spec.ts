import type { OutputCorrected } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import { checkBatch, checkContract, contractViolation, decodeFor } from './apply-or-park';
import type { Projection } from './projection';

const stored = (type: string, data: Record<string, unknown>): StoredEvent => ({
  tenant: 'acme',
  streamId: 'output-o-1',
  streamVersion: 1n,
  position: { transactionId: 1n, globalPosition: 1n },
  id: `evt-${type}`,
  source: 'urn:test',
  type,
  time: new Date('2026-03-02T10:00:00Z'),
  data,
  recordedAt: new Date('2026-03-02T10:00:01Z'),
});

const correction = stored('ai.output.corrected', { outputId: 'o-1', employeeId: 'e-1', minutesSpent: 12 });
const tooLong = stored('ai.output.corrected', { outputId: 'o-1', employeeId: 'e-1', minutesSpent: 1441 });
const unknown = stored('test.amount', { amount: 1 });

describe('checkContract', () => {
  it('given an event the contract admits, then it is handed on decoded: the same event, its data typed', () => {
    const checked = checkContract(correction);
    expect(checked).toEqual({ event: correction });
    expect(checked.violation === undefined && checked.event).toBe(correction);
  });

  it('given an event that breaks the contract, then its first violation, to park it under', () => {
    expect(checkContract(tooLong)).toEqual({ violation: { code: 'FIELD.OUT_OF_RANGE', message: expect.stringContaining('minutesSpent') } });
  });

  it('given a type the contract does not know, then it is handed on as stored (no rule to break)', () => {
    expect(checkContract(unknown)).toEqual({ event: unknown });
  });

  it('gives contractViolation its reason: none for an admissible event, the first violation otherwise', () => {
    expect(contractViolation(correction)).toBeUndefined();
    expect(contractViolation(tooLong)).toEqual({ code: 'FIELD.OUT_OF_RANGE', message: expect.any(String) });
  });
});

describe('checkBatch', () => {
  it('checks only the events the projection handles', () => {
    const checked = checkBatch([correction, tooLong, unknown], (event) => event.type === 'ai.output.corrected');
    expect([...checked.keys()]).toEqual([correction, tooLong]);
    expect(checked.get(tooLong)).toEqual({ violation: expect.objectContaining({ code: 'FIELD.OUT_OF_RANGE' }) });
  });
});

describe('decodeFor', () => {
  const reworkMinutes: Projection<OutputCorrected> = {
    name: 'rework-minutes',
    schema: 'pt_rework_minutes',
    version: 1,
    handles: ['ai.output.corrected'],
    createTables: async () => undefined,
    apply: async () => undefined,
  };

  it('given a batch, then the events the projection handles, decoded and typed for it', () => {
    const decoded = decodeFor(reworkMinutes, [unknown, correction]);
    expect(decoded).toEqual([correction]);
    expect(decoded.map((event) => event.data.minutesSpent)).toEqual([12]);
  });

  it('given an event that breaks the contract, then it throws, naming the event and the rule but no data', () => {
    expect(() => decodeFor(reworkMinutes, [correction, tooLong])).toThrow('event evt-ai.output.corrected of acme breaks the contract (FIELD.OUT_OF_RANGE)');
  });
});
