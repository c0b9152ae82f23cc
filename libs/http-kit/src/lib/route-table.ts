import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { DiscoveryService, Reflector } from '@nestjs/core';
import type { Scope } from '@rework-ledger/tenancy';
import { ACCEPTED_CONTENT_TYPES, BASIC_AUTH, REQUIRED_SCOPE } from './route-metadata';
import { requiredScopes } from './api-key.guard';

/** One route of the application, as its controller declares it. */
export type Route = Readonly<{
  method: string;
  /** Express-style path, e.g. `/v1/training/courses/:courseId/impact`. */
  path: string;
  /** The scopes of which its key needs one; absent: public. */
  scopes?: readonly Scope[];
  /** Media types its body may have; absent: JSON (`application/json`, `application/*+json`). */
  accepts?: readonly string[];
  /** It also takes its key by HTTP Basic (see AcceptsBasicAuth). */
  basicAuth?: true;
}>;

const joinPath = (...parts: readonly string[]) => `/${parts.flatMap((part) => part.split('/')).filter(Boolean).join('/')}`;
const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [value === undefined ? '' : String(value)]);

/** Every route of the application's controllers, read from their Nest metadata (after NestFactory.create). */
export function discoverRoutes(discovery: DiscoveryService, reflector: Reflector): Route[] {
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller) continue;
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller));
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (requestMethod === undefined || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const scopes = requiredScopes(reflector.getAllAndOverride<readonly Scope[] | undefined>(REQUIRED_SCOPE, [handler, controller]));
      const accepts = reflector.getAllAndOverride<readonly string[] | undefined>(ACCEPTED_CONTENT_TYPES, [handler, controller]);
      const basicAuth = reflector.getAllAndOverride<boolean | undefined>(BASIC_AUTH, [handler, controller]) === true;
      for (const prefix of prefixes) {
        for (const path of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
          routes.push({ method: RequestMethod[requestMethod], path: joinPath(prefix, path), ...(scopes ? { scopes } : {}), ...(accepts ? { accepts } : {}), ...(basicAuth ? { basicAuth: true as const } : {}) });
        }
      }
    }
  }
  return routes;
}

/** The routes whose path matches a request path (any method). Literal segments compare case-insensitively, as Express does. */
export function routesMatching(routes: readonly Route[], requestPath: string): Route[] {
  const segments = requestPath.split('/').filter(Boolean);
  return routes.filter((route) => {
    const pattern = route.path.split('/').filter(Boolean);
    return (
      pattern.length === segments.length &&
      pattern.every((part, index) => (part.startsWith(':') ? segments[index].length > 0 : part.toLowerCase() === segments[index].toLowerCase()))
    );
  });
}
