import { type EmployeeIdentityLinked, identityLinkOf, type IdentityLink, latestIdentityLinks } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { PoolClient } from 'pg';

/**
 * The identity links a read model keeps, to resolve the identifiers its events name (PRODUCT.md, "Identity"; the rule
 * is `libs/domain/src/lib/identity.ts`): per tenant and normalised identifier, the employee of its latest link. Each
 * read model that names people keeps its own copy (projections are rebuilt apart), filled by the same function.
 */
export async function createIdentityLinksTable(client: PoolClient, schema: string): Promise<void> {
  await client.query(`
    CREATE TABLE "${schema}".identity_links (
      tenant text NOT NULL,
      identifier text NOT NULL,
      employee_id text NOT NULL,
      PRIMARY KEY (tenant, identifier)
    )`);
}

/**
 * Saves a batch's links (the latest of each identifier wins, as one at a time) and answers them: the caller
 * re-attributes what it recorded under those identifiers.
 */
export async function saveIdentityLinks(client: PoolClient, schema: string, events: readonly StoredEvent<EmployeeIdentityLinked>[]): Promise<IdentityLink[]> {
  if (events.length === 0) return [];
  const links = latestIdentityLinks(events.map((event) => identityLinkOf(event.tenant, event.data)));
  await client.query(
    `INSERT INTO "${schema}".identity_links (tenant, identifier, employee_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (tenant, identifier) DO UPDATE SET employee_id = EXCLUDED.employee_id`,
    [links.map((link) => link.tenant), links.map((link) => link.identifier), links.map((link) => link.employeeId)],
  );
  return links;
}

/** SQL: the employee a normalised identifier is (its link's employee, else itself), for the tenant and identifier expressions given. */
export function resolvedEmployeeSql(schema: string, tenant: string, identifier: string): string {
  return `COALESCE((SELECT l.employee_id FROM "${schema}".identity_links l WHERE l.tenant = ${tenant} AND l.identifier = ${identifier}), ${identifier})`;
}

/**
 * SQL: the employee an identifier is, as `alias.employee_id`, for a statement over many rows at once (the rule of
 * {@link resolvedEmployeeSql}, as a join): the links are joined (a hash join, at most one link per tenant and
 * identifier by their primary key) rather than looked up row by row — a lookup the planner copied into every use of
 * the employee, each a scan of the links (four per output in the rework projection: issue 15).
 */
export function resolvedEmployeeLateral(schema: string, tenant: string, identifier: string, alias: string): string {
  const link = `${alias}_link`;
  return `LEFT JOIN "${schema}".identity_links ${link} ON ${link}.tenant = ${tenant} AND ${link}.identifier = ${identifier}
    CROSS JOIN LATERAL (SELECT COALESCE(${link}.employee_id, ${identifier}) AS employee_id) ${alias}`;
}
