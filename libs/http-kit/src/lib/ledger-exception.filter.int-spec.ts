import type { ArgumentsHost } from '@nestjs/common';
import { createPool, isDatabaseUnavailable } from '@rework-ledger/platform';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { createServer, type Server, type Socket } from 'node:net';
import { Client } from 'pg';
import { RETRY_AFTER_SECONDS, LedgerExceptionFilter } from './ledger-exception.filter';

/** What the filter answers for an error: status, headers and body, through a stand-in for Express's response. */
function answerTo(error: unknown): { status: number; headers: Record<string, string>; body: { code: string; message: string } } {
  const answer = { status: 0, headers: {} as Record<string, string>, body: { code: '', message: '' } };
  const response = {
    setHeader: (name: string, value: string) => (answer.headers[name] = value),
    status: (status: number) => {
      answer.status = status;
      return { json: (body: { code: string; message: string }) => (answer.body = body) };
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new LedgerExceptionFilter().catch(error, host);
  return answer;
}

/** The error a promise rejects with (the test fails if it resolves). */
async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('LedgerExceptionFilter and a database that cannot be reached (real PostgreSQL errors)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const expectUnavailable = (error: unknown) => {
    const answer = answerTo(error);
    expect(answer.status).toBe(503);
    expect(answer.headers['Retry-After']).toBe(String(RETRY_AFTER_SECONDS));
    expect(answer.body.code).toBe('DATABASE.UNAVAILABLE');
  };

  it('given a connection the server ends during a statement (a restart), then 503 with Retry-After', async () => {
    const client = new Client({ connectionString: database.url });
    client.on('error', () => undefined);
    await client.connect();
    const error = await errorOf(client.query('SELECT pg_terminate_backend(pg_backend_pid())'));
    expect((error as { code?: string }).code).toBe('57P01');
    expectUnavailable(error);
    // The same client afterwards: pg refuses to use it, without a SQLSTATE.
    expectUnavailable(await errorOf(client.query('SELECT 1')));
    await client.end().catch(() => undefined);
  });

  it('given a server that refuses the connection, then 503 with Retry-After', async () => {
    const refused = new Client({ host: '127.0.0.1', port: 1, user: 'nobody', database: 'none' });
    const error = await errorOf(refused.connect());
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expectUnavailable(error);
  });

  it('given a pool whose every connection stays busy for the whole wait, then 503 DATABASE.OVERLOADED with Retry-After, not unavailable', async () => {
    const pool = createPool(database.url, { max: 1, connectionTimeoutMs: 1000, applicationName: 'filter-full-pool' });
    const busy = await pool.connect();
    try {
      const error = await errorOf(pool.connect());
      expect((error as Error).message).toBe('timeout exceeded when trying to connect');
      expect(isDatabaseUnavailable(error)).toBe(true); // still retriable for the other callers
      const answer = answerTo(error);
      expect(answer.status).toBe(503);
      expect(answer.headers['Retry-After']).toBe(String(RETRY_AFTER_SECONDS));
      expect(answer.body.code).toBe('DATABASE.OVERLOADED');
      expect(answer.body.message).toContain('retry later, the request as it is');
    } finally {
      busy.release();
      await pool.end();
    }
  });

  it('given a server that accepts the connection and never answers (a new connection not made in time), then DATABASE.UNAVAILABLE, not overloaded', async () => {
    // The other timeout of pg-pool, on the same option: a silent server stands for one that is slow or half there.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const pool = createPool(`postgres://nobody@127.0.0.1:${port}/none`, { max: 1, connectionTimeoutMs: 1000 });
    try {
      const error = await errorOf(pool.connect());
      expect((error as Error).message).toBe('Connection terminated due to connection timeout');
      expectUnavailable(error);
    } finally {
      await pool.end();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('given a client that reset its own upload (a socket code inside a 400 of body-parser), then 400, not a database error', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', status: 400, statusCode: 400, type: 'request.aborted' });
    expect(answerTo(aborted)).toMatchObject({ status: 400, body: { code: 'REQUEST.ABORTED' } });
    const other = Object.assign(new Error('request size did not match content length'), { code: 'ECONNRESET', status: 400, type: 'request.size.invalid' });
    expect(answerTo(other)).toMatchObject({ status: 400, body: { code: 'HTTP.400' } });
  });

  it('given a statement the database rejects, then still a 500 with nothing of the statement in the body', async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const error = await errorOf(client.query('SELECT * FROM no_such_table'));
      const answer = answerTo(error);
      expect(answer.status).toBe(500);
      expect(answer.headers['Retry-After']).toBeUndefined();
      expect(answer.body).toEqual({ code: 'INTERNAL.UNEXPECTED', message: 'an unexpected error occurred; it has been logged' });
    } finally {
      await client.end();
    }
  });
});
