import { ApiError, BUSY_RETRIES, describeError, getJson } from './api-client';

describe('what a failed call tells the person at the dashboard', () => {
  it('given a refused key, then it says the key was not accepted, with the code', () => {
    expect(describeError(new ApiError(401, 'AUTH.INVALID_API_KEY', 'the API key is not valid'))).toBe(
      'This API key was not accepted (AUTH.INVALID_API_KEY). Check that you copied the whole key, starting with rl_.',
    );
  });

  it('given a key without the scope, then it says what the key may not do', () => {
    expect(describeError(new ApiError(403, 'AUTH.MISSING_SCOPE', 'this API key lacks the "read" scope'))).toBe(
      'This API key may not see this (AUTH.MISSING_SCOPE): this API key lacks the "read" scope',
    );
  });

  it('given another error or no answer at all, then it gives the message, code and status, or says the server was not reached', () => {
    expect(describeError(new ApiError(400, 'REQUEST.INVALID_PARAMETER', 'from must be before to'))).toBe('from must be before to (REQUEST.INVALID_PARAMETER, HTTP 400)');
    expect(describeError(new TypeError('Failed to fetch'))).toBe('The server could not be reached: Failed to fetch');
  });
});

describe('a busy or restarting database: 503 with Retry-After', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers });
  const BUSY = { code: 'DATABASE.OVERLOADED', message: 'no database connection of this service became free in time' };
  let answers: Response[];
  let asked: string[];
  const waited: number[] = [];
  const wait = async (ms: number) => void waited.push(ms);
  const realFetch = globalThis.fetch;
  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  beforeEach(() => {
    answers = [];
    asked = [];
    waited.length = 0;
    globalThis.fetch = jest.fn(async (path: string | URL | Request) => {
      asked.push(String(path));
      const next = answers.shift();
      if (next === undefined) throw new Error('no more answers');
      return next;
    }) as typeof fetch;
  });

  it('given 503 with Retry-After, then the request is asked again after that wait, and its answer is the one shown', async () => {
    answers = [answer(503, BUSY, { 'retry-after': '5' }), answer(503, BUSY, { 'retry-after': '5' }), answer(200, { rows: [] })];
    await expect(getJson('/v1/metrics/usage', 'rl_key', undefined, wait)).resolves.toEqual({ rows: [] });
    expect(asked).toEqual(['/v1/metrics/usage', '/v1/metrics/usage', '/v1/metrics/usage']);
    expect(waited).toEqual([5000, 5000]);
  });

  it(`given 503 more than ${BUSY_RETRIES} times, then the last one is shown, with its code`, async () => {
    answers = Array.from({ length: BUSY_RETRIES + 1 }, () => answer(503, BUSY, { 'retry-after': '600' }));
    const error = await getJson('/v1/metrics/usage', 'rl_key', undefined, wait).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('DATABASE.OVERLOADED');
    expect(waited).toEqual([30_000, 30_000]); // a long Retry-After is capped
  });

  it('given 503 without Retry-After, or another error, then it is shown at once', async () => {
    answers = [answer(503, { code: 'HTTP.503', message: 'down' })];
    await expect(getJson('/v1/metrics/usage', 'rl_key', undefined, wait)).rejects.toMatchObject({ status: 503, code: 'HTTP.503' });
    answers = [answer(400, { code: 'REQUEST.INVALID_PARAMETER', message: 'from must be before to' }, { 'retry-after': '5' })];
    await expect(getJson('/v1/metrics/usage', 'rl_key', undefined, wait)).rejects.toMatchObject({ status: 400 });
    expect(waited).toEqual([]);
  });
});
