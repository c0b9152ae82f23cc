import { LedgerError } from '@rework-ledger/domain';
import { DEAD_LETTER_HEADERS, type DeadLetter, toDeadLetterMessage } from './dead-letter';
import { isCausedByEventData } from './store-failures';

const letter: DeadLetter = {
  key: Buffer.from('output-o-1'),
  value: Buffer.from('{"outputId":'),
  headers: { ce_id: Buffer.from('evt-1'), [DEAD_LETTER_HEADERS.errorCode]: Buffer.from('OLD.CODE') },
  errors: [
    { code: 'FIELD.REQUIRED', message: 'time is required', field: 'time' },
    { code: 'EVENT.UNKNOWN_TYPE', message: 'type must be one of …', field: 'type' },
  ],
  source: { topic: 'telemetry', partition: 2, offset: '41', timestamp: '1772445600000' },
};

describe('toDeadLetterMessage', () => {
  const at = new Date('2026-03-02T10:00:00Z');

  it('given a refused record, then it keeps the key, value and headers and adds the reasons and where it came from', () => {
    const message = toDeadLetterMessage(letter, at);
    expect(message.key).toEqual(letter.key);
    expect(message.value).toEqual(letter.value);
    expect(message.headers).toEqual({
      ce_id: Buffer.from('evt-1'),
      dlq_error_code: 'FIELD.REQUIRED',
      dlq_error_message: 'time is required',
      dlq_error_field: 'time',
      dlq_errors: JSON.stringify(letter.errors),
      dlq_source_topic: 'telemetry',
      dlq_source_partition: '2',
      dlq_source_offset: '41',
      dlq_source_timestamp: '1772445600000',
      dlq_dead_lettered_at: '2026-03-02T10:00:00.000Z',
    });
  });

  it('given a record replayed from the dead-letter topic that fails again, then its old dead-letter headers are replaced', () => {
    expect(toDeadLetterMessage(letter, at).headers?.[DEAD_LETTER_HEADERS.errorCode]).toBe('FIELD.REQUIRED');
  });

  it('given a value too large for the dead-letter topic, then the record goes without it, and says so', () => {
    const message = toDeadLetterMessage(letter, at, { dropValue: true });
    expect(message.value).toBeNull();
    expect(message.headers?.[DEAD_LETTER_HEADERS.valueDropped]).toBe('true');
  });
});

describe('isCausedByEventData', () => {
  it.each([
    ['a NUL character PostgreSQL cannot store (22P05)', true, Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' })],
    ['a value over a limit (54000)', true, Object.assign(new Error('index row size exceeds maximum'), { code: '54000' })],
    ['an append the store refuses as invalid', true, new LedgerError('EVENT_STORE.INVALID_APPEND', 'no')],
    ['a refused connection', false, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a server shutting down (57P01)', false, Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['contention that outlasted the store’s own retries', false, new LedgerError('EVENT_STORE.APPEND_CONTENDED', 'gave up', undefined, true)],
    ['a RangeError (serializing an event overflowed the stack)', true, new RangeError('Maximum call stack size exceeded')],
    ['any other error of the code', true, new TypeError('boom')],
    ['a value out of range (22003)', true, Object.assign(new Error('value out of range: overflow'), { code: '22003' })],
    ['a unique violation (23505)', true, Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a serialization failure (40001)', false, Object.assign(new Error('could not serialize access'), { code: '40001' })],
    ['too many connections (53300)', false, Object.assign(new Error('too many clients'), { code: '53300' })],
    ['a connection failure (08006)', false, Object.assign(new Error('connection failure'), { code: '08006' })],
    ['a lost connection without a code', false, new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect in time', false, new Error('timeout exceeded when trying to connect')],
    ['a connection reset wrapped in another error', false, new Error('append failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) })],
    ['a rotated password (28P01)', false, Object.assign(new Error('password authentication failed'), { code: '28P01' })],
    ['a failover to a read-only standby (25006)', false, Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' })],
    ['a revoked grant (42501)', false, Object.assign(new Error('permission denied for table events'), { code: '42501' })],
    ['a table not migrated yet (42P01)', false, Object.assign(new Error('relation "events" does not exist'), { code: '42P01' })],
    ['an internal error of the server (XX000)', false, Object.assign(new Error('internal error'), { code: 'XX000' })],
    ['an EventStoreDB server unavailable', false, Object.assign(new Error('14 UNAVAILABLE'), { type: 'unavailable' })],
  ])('given %s, then caused by the event’s data: %s', (_, expected, error) => {
    expect(isCausedByEventData(error)).toBe(expected);
  });
});
