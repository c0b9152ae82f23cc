/**
 * Identity, one way for every source (PRODUCT.md, "Identity"): one person, one employee id. Every identifier that
 * names a person (an event's `employeeId`, a link's `externalId` and `employeeId`) is normalised by
 * {@link normaliseIdentifier} before it is compared, and the read models resolve it through the tenant's
 * `employee.identity_linked` events: the latest link of a normalised identifier (in store order) says whose it is; an
 * identifier without a link is its own person. A link arriving later re-attributes what was recorded under the
 * identifier, as a late `employee.assigned` re-attributes teams. Links do not chain: a link's `employeeId` is the
 * employee, never looked up again.
 */

/** Identity systems whose identifiers ignore case: emails, and GitHub logins. */
const CASE_INSENSITIVE_SYSTEMS: ReadonlySet<string> = new Set(['email', 'github']);

/**
 * An identifier normalised the one way: trimmed, a `mailto:` scheme stripped, lower case when it is an email (it holds
 * an `@`) or its system ignores case (`email`, `github`). Other identifiers are kept as sent. An identifier that would
 * normalise to nothing is kept as sent.
 */
export function normaliseIdentifier(raw: string, system?: string): string {
  const trimmed = raw.trim();
  const withoutScheme = /^mailto:/i.test(trimmed) ? trimmed.slice('mailto:'.length).trim() : trimmed;
  if (withoutScheme === '') return raw;
  const ignoresCase = withoutScheme.includes('@') || (system !== undefined && CASE_INSENSITIVE_SYSTEMS.has(system.toLowerCase()));
  return ignoresCase ? withoutScheme.toLowerCase() : withoutScheme;
}

/** An identity link as the read models keep it: the normalised identifier, and the employee it is. */
export type IdentityLink = Readonly<{ tenant: string; identifier: string; employeeId: string }>;

/** The link an `employee.identity_linked` event makes (both sides normalised). */
export function identityLinkOf(tenant: string, data: Readonly<{ employeeId: string; system: string; externalId: string }>): IdentityLink {
  return { tenant, identifier: normaliseIdentifier(data.externalId, data.system), employeeId: normaliseIdentifier(data.employeeId) };
}

/**
 * A batch's links, the latest of each identifier (store order), as applying them one at a time would leave them. A link
 * of an identifier to itself is kept: it undoes an earlier link.
 */
export function latestIdentityLinks(links: readonly IdentityLink[]): IdentityLink[] {
  const latest = new Map<string, IdentityLink>();
  for (const link of links) {
    const key = `${link.tenant}\u0000${link.identifier}`;
    latest.delete(key);
    latest.set(key, link);
  }
  return [...latest.values()];
}
