import { Controller, Get, Module, Post, Put } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, NestFactory, Reflector } from '@nestjs/core';
import type { ApiKeys } from '@rework-ledger/tenancy';
import type { Request, Response } from 'express';
import { createRateLimiter } from './rate-limiter';
import { createRequestGate } from './request-gate';
import { AcceptsBasicAuth, AcceptsContentTypes, RequireScope } from './route-metadata';
import { discoverRoutes, type Route } from './route-table';

@Controller('v1/documents')
class DocumentsController {
  @Post()
  @RequireScope('ingest')
  @AcceptsContentTypes('multipart/mixed', 'application/json')
  upload() {
    return 'stored';
  }

  @Put(':id')
  @RequireScope('ingest')
  @AcceptsBasicAuth()
  replace() {
    return 'replaced';
  }

  @Get(':id')
  read() {
    return 'read';
  }
}

@Module({ imports: [DiscoveryModule], controllers: [DocumentsController] })
class DocumentsModule {}

/** A key store that knows one key (unit test: the real one is tested against PostgreSQL). */
const apiKeys = {
  authenticate: async (key: string) => (key === 'good' ? { tenant: 'acme', scopes: ['ingest'], keyId: 'k' } : undefined),
} as unknown as ApiKeys;

/** Runs the gate on a request made of its line and headers; resolves with the error it passes on, if any. */
function gateOn(routes: readonly Route[], method: string, path: string, headers: Record<string, string> = {}) {
  const gate = createRequestGate({ routes, apiKeys, limiter: createRateLimiter(), limits: { ingestPerMinute: 100, queryPerMinute: 100 } });
  const request = { method, path, headers, query: {}, ip: '127.0.0.1', socket: {} } as unknown as Request;
  const response = { setHeader: () => undefined } as unknown as Response;
  return new Promise<{ code?: string; principal?: unknown }>((resolve) =>
    gate(request, response, (error?: unknown) => resolve({ code: (error as { code?: string } | undefined)?.code, principal: (request as { principal?: unknown }).principal })),
  );
}

describe('request gate', () => {
  let routes: Route[];

  beforeAll(async () => {
    const context = await NestFactory.createApplicationContext(DocumentsModule, { logger: false });
    routes = discoverRoutes(context.get(DiscoveryService), context.get(Reflector));
    await context.close();
  });

  it('reads every route, its scope and the media types it declares, from the controllers', () => {
    expect(routes).toEqual([
      { method: 'POST', path: '/v1/documents', scopes: ['ingest'], accepts: ['multipart/mixed', 'application/json'] },
      { method: 'PUT', path: '/v1/documents/:id', scopes: ['ingest'], basicAuth: true },
      { method: 'GET', path: '/v1/documents/:id' },
    ]);
  });

  it.each([
    ['a declared type', 'POST', '/v1/documents', { 'content-type': 'multipart/mixed; boundary=x' }, undefined],
    ['another type than those declared', 'POST', '/v1/documents', { 'content-type': 'application/cloudevents+json' }, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'],
    ['a +json type where none is declared', 'PUT', '/v1/documents/d-1', { 'content-type': 'application/merge-patch+json' }, undefined],
    ['text where none is declared', 'PUT', '/v1/documents/d-1', { 'content-type': 'text/plain' }, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'],
  ])('given %s (%s %s), then the answer is as expected', async (_, method, path, headers, code) => {
    expect((await gateOn(routes, method, path, { authorization: 'Bearer good', 'content-length': '10', ...headers })).code).toBe(code);
  });

  it('given a route that needs a key, then the key is checked before the body, and the principal left for the guard', async () => {
    expect(await gateOn(routes, 'POST', '/v1/documents', { authorization: 'Bearer good' })).toEqual({ code: undefined, principal: { tenant: 'acme', scopes: ['ingest'], keyId: 'k' } });
    expect((await gateOn(routes, 'POST', '/v1/documents', { authorization: 'Bearer bad', 'content-length': '10' })).code).toBe('AUTH.INVALID_API_KEY');
    expect((await gateOn(routes, 'POST', '/v1/documents')).code).toBe('AUTH.MISSING_API_KEY');
  });

  it('given HTTP Basic with the key as password, then a route that takes Basic authenticates it (any user name); another route does not', async () => {
    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    expect(await gateOn(routes, 'PUT', '/v1/documents/d-1', basic('lms', 'good'))).toEqual({ code: undefined, principal: { tenant: 'acme', scopes: ['ingest'], keyId: 'k' } });
    expect(await gateOn(routes, 'PUT', '/v1/documents/d-1', basic('', 'good'))).toMatchObject({ code: undefined });
    expect((await gateOn(routes, 'PUT', '/v1/documents/d-1', basic('good', 'bad'))).code).toBe('AUTH.INVALID_API_KEY');
    expect((await gateOn(routes, 'PUT', '/v1/documents/d-1', basic('good', ''))).code).toBe('AUTH.MISSING_API_KEY');
    expect((await gateOn(routes, 'POST', '/v1/documents', basic('lms', 'good'))).code).toBe('AUTH.MISSING_API_KEY');
  });

  it('given an address over its limit of bad keys, then its unknown keys get 429, and a key known valid still passes', async () => {
    const limiter = createRateLimiter();
    const knownKeys = { ...apiKeys, knownValid: (key: string) => key === 'good' } as unknown as ApiKeys;
    const gate = createRequestGate({ routes, apiKeys: knownKeys, limiter, limits: { ingestPerMinute: 100, queryPerMinute: 3 } });
    const send = (key: string) =>
      new Promise<string | undefined>((resolve) =>
        gate(
          { method: 'POST', path: '/v1/documents', headers: { authorization: `Bearer ${key}` }, query: {}, ip: '10.0.0.1', socket: {} } as unknown as Request,
          { setHeader: () => undefined } as unknown as Response,
          (error?: unknown) => resolve((error as { code?: string } | undefined)?.code),
        ),
      );
    for (let i = 0; i < 3; i++) expect(await send(`bad-${i}`)).toBe('AUTH.INVALID_API_KEY');
    expect(await send('bad-4')).toBe('RATE.LIMITED');
    expect(await send('good')).toBeUndefined();
  });

  it('given another method on a known path, then 405; an unknown path passes through', async () => {
    expect((await gateOn(routes, 'DELETE', '/v1/documents/d-1')).code).toBe('REQUEST.METHOD_NOT_ALLOWED');
    expect(await gateOn(routes, 'GET', '/v1/elsewhere')).toEqual({ code: undefined, principal: undefined });
  });
});
