// The same file global-setup.ts loads lazily, imported the same way (nx forbids a static import of a library that
// is also loaded lazily).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { embeddedPostgresMissing } from '../../platform/src/lib/database/embedded-postgres';

/**
 * Whether a suite that starts (and stops) an embedded PostgreSQL of its own can run: the repo's rule for suites that
 * need a component — in CI (CI=true) a missing one fails the run; elsewhere the suite is skipped, loudly.
 */
export function embeddedPostgresAvailable(suite: string): boolean {
  const missing = embeddedPostgresMissing();
  if (missing === undefined) return true;
  if (['true', '1'].includes(String(process.env['CI'] ?? '').toLowerCase())) {
    throw new Error(`${suite}: ${missing}; CI=true, so the test fails instead of skipping`);
  }
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED: ${suite}\n!! ${missing}\n${'!'.repeat(100)}\n`);
  return false;
}
