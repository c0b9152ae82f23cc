import type { IdentityLink } from '@rework-ledger/domain';
import type { PoolClient } from 'pg';

/**
 * Re-attributes what a read model recorded under the linked identifiers: sets `employee_id` to each link's employee on
 * the rows of `table` (which has `tenant`, `identifier` and `employee_id` columns) of its tenant and identifier. The
 * caller passes what `saveIdentityLinks` answered, so that a link arriving after the facts points them at the employee,
 * as one that came before them would have.
 */
export async function repointIdentifiers(client: PoolClient, schema: string, table: string, links: readonly IdentityLink[]): Promise<void> {
  if (links.length === 0) return;
  await client.query(
    `UPDATE "${schema}"."${table}" t SET employee_id = l.employee_id
       FROM unnest($1::text[], $2::text[], $3::text[]) AS l(tenant, identifier, employee_id)
      WHERE t.tenant = l.tenant AND t.identifier = l.identifier AND t.employee_id IS DISTINCT FROM l.employee_id`,
    [links.map((link) => link.tenant), links.map((link) => link.identifier), links.map((link) => link.employeeId)],
  );
}
