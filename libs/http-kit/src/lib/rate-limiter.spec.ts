import { createRateLimiter, RateLimitedError } from './rate-limiter';

describe('rate limiter', () => {
  it('given a limit of 3 a minute, then the 4th request is refused with the seconds left in the window, and the next window starts afresh', () => {
    let now = 0;
    const limiter = createRateLimiter({ clock: { now: () => now } });
    for (let i = 0; i < 3; i++) limiter.take('acme|GET /v1/metrics/rework', 3);
    now = 20_000;
    expect(() => limiter.take('acme|GET /v1/metrics/rework', 3)).toThrow(new RateLimitedError(40));
    limiter.take('globex|GET /v1/metrics/rework', 3); // another tenant
    limiter.take('acme|GET /v1/skills/gaps', 3); // another route
    now = 60_000;
    limiter.take('acme|GET /v1/metrics/rework', 3);
  });

  it('given limit 0, then nothing is limited or kept', () => {
    const limiter = createRateLimiter();
    for (let i = 0; i < 1000; i++) limiter.take(`ip-${i}`, 0);
    expect(limiter.size).toBe(0);
  });

  it('given many clients, then the counters kept stay bounded', () => {
    const limiter = createRateLimiter({ maxKeys: 1_000 });
    for (let i = 0; i < 50_000; i++) limiter.take(`ip-${i}`, 10);
    expect(limiter.size).toBe(1_000);
  });

  it('check does not count', () => {
    const limiter = createRateLimiter();
    for (let i = 0; i < 5; i++) limiter.check('k', 1);
    limiter.take('k', 1);
    expect(() => limiter.check('k', 1)).toThrow(RateLimitedError);
  });
});
