import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { createHash } from 'node:crypto';
import { DASHBOARD_NOT_BUILT_STYLE } from './dashboard.page';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The dashboard (GET /, built by Vite) loads its script and stylesheet from /assets and calls the API on the same
 * origin; React and Recharts set styles through the DOM (allowed), the favicon is a data: URI, no font is fetched.
 * So: everything from 'self', no inline script, no framing. The page shown before the dashboard is built has one
 * inline style, allowed by its hash. `upgrade-insecure-requests` (a helmet default) is left out: the server is often
 * reached over plain HTTP on localhost, where it would break every asset.
 */
const DASHBOARD_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'none'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", sha256(DASHBOARD_NOT_BUILT_STYLE)],
  },
};

/** Swagger UI (/docs) loads its scripts from /docs but styles its page inline. */
const DOCS_CSP = { ...DASHBOARD_CSP, directives: { ...DASHBOARD_CSP.directives, styleSrc: ["'self'", "'unsafe-inline'"] } };

const common = { frameguard: { action: 'deny' as const }, xPoweredBy: true };

/** Security headers of every answer: CSP (the dashboard's, or Swagger UI's under /docs), nosniff, no framing, no X-Powered-By. */
export function securityHeaders(): RequestHandler {
  const app = helmet({ ...common, contentSecurityPolicy: DASHBOARD_CSP });
  const docs = helmet({ ...common, contentSecurityPolicy: DOCS_CSP });
  return (request, response, next) => (request.path === '/docs' || request.path.startsWith('/docs/') ? docs : app)(request, response, next);
}
