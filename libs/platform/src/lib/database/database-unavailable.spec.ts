import { isDatabaseUnavailable } from './database-unavailable';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a server restarting (57P01 admin shutdown)', { code: '57P01' }],
    ['a server starting up or shutting down (57P03)', { code: '57P03', message: 'the database system is starting up' }],
    ['too many connections (53300)', { code: '53300' }],
    ['a connection failure (08006)', { code: '08006' }],
    ['a refused connection', { code: 'ECONNREFUSED' }],
    ['a reset connection', { code: 'ECONNRESET' }],
    ['a connection lost without a SQLSTATE', new Error('Connection terminated unexpectedly')],
    ["pg-pool's connect timeout", new Error('timeout exceeded when trying to connect')],
    ['a TypeORM QueryFailedError keeping the driver error code', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
  ])('given %s, then it is unavailable (retry)', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a protocol violation (08P01, a client bug)', { code: '08P01' }],
    ['a database that was dropped (57P04)', { code: '57P04' }],
    ['an unknown host (a configuration error)', { code: 'ENOTFOUND' }],
    ['a syntax error', { code: '42601' }],
    ['a unique violation', { code: '23505' }],
    ['an error without a code', new Error('something else')],
    ['not an error at all', 'a string'],
    ['nothing', null],
  ])('given %s, then it is not (no retry)', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
