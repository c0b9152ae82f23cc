import { validateEvents } from './event-ingestion';

const event = (id: string) => ({
  specversion: '1.0',
  id,
  source: 'urn:test',
  type: 'ai.output.generated',
  time: '2026-03-02T10:00:00Z',
  data: { outputId: id, employeeId: 'e', tool: 't', taskType: 'coding' },
});

describe('validateEvents', () => {
  it('given an event the validator cannot even read (a getter that throws), then that event alone is rejected, never its batch', () => {
    const unreadable = Object.defineProperty({}, 'id', {
      enumerable: true,
      get() {
        throw new RangeError('boom');
      },
    });
    const { valid, rejected } = validateEvents([event('a'), unreadable, event('b')], { fromCredentials: 'acme' });
    expect(valid.map((entry) => entry.index)).toEqual([0, 2]);
    expect(rejected).toEqual([{ index: 1, errors: [expect.objectContaining({ code: 'EVENT.NOT_VALIDATED' })] }]);
  });

  it('given odd events among valid ones, then each odd one is rejected with its reason and the valid ones kept', () => {
    const odd = [{ ...event('n'), id: 'n\u0000' }, { ...event('s'), data: { ...event('s').data, tool: '\ud800' } }];
    const { valid, rejected } = validateEvents([event('a'), ...odd, event('b')], { fromCredentials: 'acme' });
    expect(valid.map((entry) => entry.event.id)).toEqual(['a', 'b']);
    expect(rejected.map((rejection) => [rejection.index, rejection.errors[0].code])).toEqual([
      [1, 'FIELD.INVALID_CHARACTERS'],
      [2, 'FIELD.INVALID_CHARACTERS'],
    ]);
  });
});
