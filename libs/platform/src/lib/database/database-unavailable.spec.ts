import { isDatabaseUnavailable, isPoolExhausted } from './database-unavailable';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a server restarting (57P01 admin shutdown)', { code: '57P01' }],
    ['a server starting up or shutting down (57P03)', { code: '57P03', message: 'the database system is starting up' }],
    ['too many connections (53300)', { code: '53300' }],
    ['a connection failure (08006)', { code: '08006' }],
    ['a refused connection', { code: 'ECONNREFUSED' }],
    ['a reset connection', { code: 'ECONNRESET' }],
    ['a connection lost without a SQLSTATE', new Error('Connection terminated unexpectedly')],
    ["pg-pool's wait for a free connection of a full pool, timed out", new Error('timeout exceeded when trying to connect')],
    ["pg-pool's new connection not made in time", new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') })],
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

describe('isPoolExhausted', () => {
  it('given pg-pool\'s wait for a free connection of a full pool, timed out, then the pool is exhausted (and the database still counts as unavailable: retry)', () => {
    const error = new Error('timeout exceeded when trying to connect');
    expect(isPoolExhausted(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    // pg-pool's other timeout, on the same option: a new connection that could not be made in time.
    ["pg-pool's new connection not made in time", new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') })],
    ["pg's own connect timeout", new Error('timeout expired')],
    ['too many connections on the server (53300)', Object.assign(new Error('sorry, too many clients already'), { code: '53300' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a statement timeout (57014)', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })],
    ['an error without a message', {}],
    ['not an error at all', 'timeout exceeded when trying to connect'],
    ['nothing', null],
  ])('given %s, then it is not', (_, error) => {
    expect(isPoolExhausted(error)).toBe(false);
  });
});
