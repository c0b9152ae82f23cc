import { embeddedPostgresMissing } from '@rework-ledger/platform';

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
