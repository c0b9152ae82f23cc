import { classifyApplyFailure, redactValues } from './apply-failure';

const sqlError = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('classifyApplyFailure: retry what the platform caused, park what the data caused', () => {
  it.each(['08006', '08003', '40001', '40P01', '53100', '53300', '57P01', '57P03', '42703', 'XX000'])(
    'given SQLSTATE %s (connection, rollback, resources, operator, a bug in SQL), then the batch is retried',
    (code) => expect(classifyApplyFailure(sqlError(code))).toEqual({ action: 'retry' }),
  );

  it.each(['22003', '22P02', '22021', '23505', '23502', '54000'])('given SQLSTATE %s (data, integrity, a value over a limit), then the event is parked', (code) => {
    expect(classifyApplyFailure(sqlError(code, 'value out of range: overflow'))).toEqual({
      action: 'park',
      code: `SQLSTATE.${code}`,
      message: 'value out of range: overflow',
    });
  });

  it('given a connection lost without SQLSTATE (a socket error, pg\'s own message, anything unknown), then it is retried', () => {
    expect(classifyApplyFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toEqual({ action: 'retry' });
    expect(classifyApplyFailure(new Error('Connection terminated unexpectedly'))).toEqual({ action: 'retry' });
    expect(classifyApplyFailure('boom')).toEqual({ action: 'retry' });
  });

  it('given a RangeError from the projection\'s code, then the event is parked', () => {
    expect(classifyApplyFailure(new RangeError('Invalid time value'))).toEqual({ action: 'park', code: 'PROJECTION.RANGEERROR', message: 'Invalid time value' });
  });

  it('given a TypeError (a bug in the projection, not in the event), then the batch is retried, never parked', () => {
    expect(classifyApplyFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toEqual({ action: 'retry' });
  });

  it('given a message quoting the input, then the quoted values are left out (no payload in a parked reason)', () => {
    expect(redactValues('invalid input syntax for type numeric: "12abc"')).toBe('invalid input syntax for type numeric: "…"');
    expect(redactValues(`bad 'secret' value`)).toBe("bad '…' value");
    expect(redactValues('x'.repeat(500))).toHaveLength(200);
  });
});
