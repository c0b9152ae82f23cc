import { type Route, routesMatching } from './route-table';

const routes: Route[] = [
  { method: 'POST', path: '/v1/events', scopes: ['ingest'] },
  { method: 'GET', path: '/v1/training/courses/:courseId/impact', scopes: ['read'] },
  { method: 'GET', path: '/' },
  { method: 'POST', path: '/v1/xapi/statements', scopes: ['ingest'] },
  { method: 'PUT', path: '/v1/xapi/statements', scopes: ['ingest'] },
];

describe('routesMatching', () => {
  it.each([
    ['/v1/events', ['POST /v1/events']],
    ['/v1/events/', ['POST /v1/events']],
    ['/V1/Events', ['POST /v1/events']],
    ['/v1/training/courses/c-1/impact', ['GET /v1/training/courses/:courseId/impact']],
    ['/v1/training/courses//impact', []],
    ['/v1/training/courses/c-1', []],
    ['/', ['GET /']],
    ['/v1/xapi/statements', ['POST /v1/xapi/statements', 'PUT /v1/xapi/statements']],
    ['/v1/nothing', []],
  ])('given %s, then %j', (path, expected) => {
    expect(routesMatching(routes, path).map((route) => `${route.method} ${route.path}`)).toEqual(expected);
  });
});
