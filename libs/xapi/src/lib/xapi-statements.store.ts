import { type Migration, runMigrations } from '@rework-ledger/platform';
import type { Pool } from 'pg';
import type { AttachmentContent } from './xapi-attachments';

/** The LRS table: every statement received, whatever its verb, once per (tenant, statement id). */
export const XAPI_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'xapi_statements',
    sql: `CREATE TABLE xapi_statements (
            tenant text NOT NULL,
            statement_id uuid NOT NULL,
            verb text NOT NULL,
            statement jsonb NOT NULL,
            stored_at timestamptz NOT NULL,
            PRIMARY KEY (tenant, statement_id)
          );
          CREATE INDEX xapi_statements_stored ON xapi_statements (tenant, stored_at);`,
  },
  {
    version: 2,
    name: 'xapi_statements_voiding_and_order',
    // seq: the order statements were stored in (the paging cursor of GET); voided: a voiding statement targets it.
    sql: `ALTER TABLE xapi_statements ADD COLUMN seq bigserial, ADD COLUMN voided boolean NOT NULL DEFAULT false;
          CREATE UNIQUE INDEX xapi_statements_seq ON xapi_statements (tenant, seq);`,
  },
  {
    version: 3,
    name: 'xapi_attachments',
    // Attachment contents sent with statements (multipart/mixed), once per (tenant, sha2): the statements name them.
    sql: `CREATE TABLE xapi_attachments (
            tenant text NOT NULL,
            sha2 text NOT NULL,
            content_type text NOT NULL,
            content bytea NOT NULL,
            PRIMARY KEY (tenant, sha2)
          );`,
  },
  {
    version: 4,
    name: 'xapi_statements_by_verb',
    // GET ?verb= (what LRS readers filter on most) reads the verb column, not the JSON.
    sql: `CREATE INDEX xapi_statements_verb ON xapi_statements (tenant, verb, seq);`,
  },
];

/** The verb of a voiding statement (xAPI 1.0.3 Data 2.3.2): its StatementRef object is voided. */
export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';

/** Applies the LRS table's migrations (component 'xapi'). Idempotent. */
export async function migrateXapi(pool: Pool): Promise<void> {
  await runMigrations(pool, 'xapi', XAPI_MIGRATIONS);
}

export type StatementRecord = Readonly<{ id: string; verb: string; statement: Readonly<Record<string, unknown>>; storedAt: Date }>;

export type StoredStatement = Readonly<{ verb: string; statement: Record<string, unknown>; storedAt: Date }>;

/** A stored statement as GET reads it: voided or not, and its place in the store's order. */
export type FoundStatement = StoredStatement & Readonly<{ voided: boolean; seq: string }>;

/** What GET /statements filters on (xAPI 1.0.3 Communication 2.1.3), already checked. */
export type StatementFilter = Readonly<{
  /** An Agent's or Group's identifier: `{mbox}`, `{mbox_sha1sum}`, `{openid}` or `{account: {homePage, name}}`. */
  agent?: Readonly<Record<string, unknown>>;
  verb?: string;
  activity?: string;
  registration?: string;
  relatedActivities?: boolean;
  relatedAgents?: boolean;
  since?: Date;
  until?: Date;
  ascending?: boolean;
}>;

export type StatementPage = Readonly<{ statements: readonly FoundStatement[]; more: boolean }>;

/** What the LRS keeps of each statement. */
export interface XapiStatementStore {
  /**
   * Stores, in one statement, those whose id the tenant has not stored yet. A statement already stored is left as it
   * is (the first one wins); those are returned, as stored, by id.
   */
  save(tenant: string, records: readonly StatementRecord[]): Promise<Map<string, StoredStatement>>;
  /** One stored statement, voided or not. */
  find(tenant: string, statementId: string): Promise<FoundStatement | undefined>;
  /**
   * The statements that match, not voided, in store order (newest first unless ascending), at most `limit`, after the
   * statement at `afterSeq` (the previous page's last), stored no later than `through` (the first page's time, so that
   * the pages of one query are one consistent list).
   */
  query(tenant: string, filter: StatementFilter, page: Readonly<{ limit: number; afterSeq?: string; through: Date }>): Promise<StatementPage>;
  /** Keeps attachment contents (one per sha2: the same sha2 is the same content). */
  saveAttachments(tenant: string, attachments: readonly AttachmentContent[]): Promise<void>;
  /** The contents of these sha2s that are kept. */
  attachments(tenant: string, sha2s: readonly string[]): Promise<AttachmentContent[]>;
  /** The names the statements give the actor of this identifier (`{mbox}`, `{account}`…), for the Agents resource. */
  agentNames(tenant: string, identifier: Readonly<Record<string, unknown>>): Promise<string[]>;
  /** The definitions statements gave the activity (as object, in context or in a sub-statement), in store order. */
  activityDefinitions(tenant: string, activityId: string): Promise<Record<string, unknown>[]>;
}

export const XAPI_STATEMENT_STORE = Symbol('XapiStatementStore');

/** The LRS table in PostgreSQL. Run {@link migrateXapi} first. */
export function createPostgresStatementStore(pool: Pool): XapiStatementStore {
  return {
    async save(tenant, records) {
      const earlier = new Map<string, StoredStatement>();
      if (records.length === 0) return earlier;
      const { rows: inserted } = await pool.query<{ statement_id: string }>(
        `INSERT INTO xapi_statements (tenant, statement_id, verb, statement, stored_at)
         SELECT $1, s.statement_id, s.verb, s.statement::jsonb, s.stored_at
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) AS s(statement_id, verb, statement, stored_at)
         ON CONFLICT (tenant, statement_id) DO NOTHING
         RETURNING statement_id::text`,
        [tenant, records.map((r) => r.id), records.map((r) => r.verb), records.map((r) => JSON.stringify(r.statement)), records.map((r) => r.storedAt.toISOString())],
      );
      const insertedIds = new Set(inserted.map((row) => row.statement_id));
      await voidTargets(pool, tenant, records.filter((record) => record.verb === VOIDED_VERB && insertedIds.has(record.id)));
      const others = records.filter((record) => !insertedIds.has(record.id)).map((record) => record.id);
      if (others.length === 0) return earlier;
      const { rows } = await pool.query<{ statement_id: string; verb: string; statement: Record<string, unknown>; stored_at: Date }>(
        'SELECT statement_id::text, verb, statement, stored_at FROM xapi_statements WHERE tenant = $1 AND statement_id = ANY($2::uuid[])',
        [tenant, others],
      );
      for (const row of rows) earlier.set(row.statement_id, { verb: row.verb, statement: row.statement, storedAt: new Date(row.stored_at) });
      return earlier;
    },

    async find(tenant, statementId) {
      const { rows } = await pool.query<StatementRow>(`SELECT ${COLUMNS} FROM xapi_statements WHERE tenant = $1 AND statement_id = $2`, [tenant, statementId]);
      return rows[0] ? foundOf(rows[0]) : undefined;
    },

    async query(tenant, filter, page) {
      const where = ['s.tenant = $1', 'NOT s.voided', 's.stored_at <= $2'];
      const values: unknown[] = [tenant, page.through.toISOString()];
      const bind = (value: unknown) => `$${values.push(value)}`;
      const order = filter.ascending ? 'ASC' : 'DESC';
      if (page.afterSeq !== undefined) where.push(`s.seq ${filter.ascending ? '>' : '<'} ${bind(page.afterSeq)}::bigint`);
      if (filter.since) where.push(`s.stored_at > ${bind(filter.since.toISOString())}`);
      if (filter.until) where.push(`s.stored_at <= ${bind(filter.until.toISOString())}`);
      // The filters on content, each written for a statement column: they apply to a statement, and to the statement a
      // StatementRef targets (xAPI 1.0.3 Communication 2.1.4: a voiding statement is found by what it voided).
      const conditions: ((column: string) => string)[] = [];
      if (filter.verb !== undefined) {
        const verb = bind(filter.verb);
        conditions.push((column) => `${column.replace(/\.statement$/, '.verb')} = ${verb}`);
      }
      if (filter.registration !== undefined) {
        const registration = bind(filter.registration);
        conditions.push((column) => `lower(${column} #>> '{context,registration}') = lower(${registration}::text)`);
      }
      if (filter.activity !== undefined) {
        // Every parameter bound is used (PostgreSQL cannot type one that is not): the array only with related_activities.
        const related = filter.relatedActivities === true;
        const [id, asArray] = [bind(filter.activity), related ? bind(JSON.stringify([{ id: filter.activity }])) : ''];
        conditions.push((column) => activityMatch(column, id, asArray, related));
      }
      if (filter.agent !== undefined) {
        const [identifier, asArray] = [bind(JSON.stringify(filter.agent)), bind(JSON.stringify([filter.agent]))];
        conditions.push((column) => agentMatch(column, identifier, asArray, filter.relatedAgents === true));
      }
      if (conditions.length > 0) {
        const matches = (column: string) => conditions.map((condition) => condition(column)).join(' AND ');
        where.push(
          `(${matches('s.statement')} OR (s.statement #>> '{object,objectType}' = 'StatementRef' AND EXISTS (
             SELECT 1 FROM xapi_statements t WHERE t.tenant = s.tenant AND t.statement_id::text = lower(s.statement #>> '{object,id}') AND ${matches('t.statement')})))`,
        );
      }
      const { rows } = await pool.query<StatementRow>(
        `SELECT s.verb, s.statement, s.stored_at, s.voided, s.seq::text AS seq FROM xapi_statements s
          WHERE ${where.join(' AND ')} ORDER BY s.seq ${order} LIMIT ${bind(page.limit + 1)}`,
        values,
      );
      return { statements: rows.slice(0, page.limit).map(foundOf), more: rows.length > page.limit };
    },

    async saveAttachments(tenant, attachments) {
      for (const attachment of attachments) {
        await pool.query('INSERT INTO xapi_attachments (tenant, sha2, content_type, content) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
          tenant,
          attachment.sha2,
          attachment.contentType,
          attachment.content,
        ]);
      }
    },

    async attachments(tenant, sha2s) {
      if (sha2s.length === 0) return [];
      const { rows } = await pool.query<{ sha2: string; content_type: string; content: Buffer }>(
        'SELECT sha2, content_type, content FROM xapi_attachments WHERE tenant = $1 AND sha2 = ANY($2::text[])',
        [tenant, [...sha2s]],
      );
      return rows.map((row) => ({ sha2: row.sha2, contentType: row.content_type, content: row.content }));
    },

    async agentNames(tenant, identifier) {
      const { rows } = await pool.query<{ name: string }>(
        `SELECT DISTINCT statement #>> '{actor,name}' AS name FROM xapi_statements
          WHERE tenant = $1 AND statement -> 'actor' @> $2::jsonb AND statement #>> '{actor,name}' IS NOT NULL ORDER BY 1`,
        [tenant, JSON.stringify(identifier)],
      );
      return rows.map((row) => row.name);
    },

    async activityDefinitions(tenant, activityId) {
      const { rows } = await pool.query<{ definition: Record<string, unknown> }>(
        `SELECT statement #> '{object,definition}' AS definition FROM xapi_statements
          WHERE tenant = $1 AND statement #>> '{object,id}' = $2 AND coalesce(statement #>> '{object,objectType}', 'Activity') = 'Activity'
            AND statement #> '{object,definition}' IS NOT NULL
          ORDER BY seq`,
        [tenant, activityId],
      );
      return rows.map((row) => row.definition);
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type StatementRow = { verb: string; statement: Record<string, unknown>; stored_at: Date; voided: boolean; seq: string };
const COLUMNS = 'verb, statement, stored_at, voided, seq::text AS seq';
const foundOf = (row: StatementRow): FoundStatement => ({ verb: row.verb, statement: row.statement, storedAt: new Date(row.stored_at), voided: row.voided, seq: row.seq });

/** The statements these voiding statements target are voided, unless a target is itself a voiding statement. */
async function voidTargets(pool: Pool, tenant: string, voiding: readonly StatementRecord[]): Promise<void> {
  const targets = voiding.map((record) => (record.statement['object'] as { id?: unknown } | undefined)?.id).filter((id): id is string => typeof id === 'string' && UUID.test(id));
  if (targets.length === 0) return;
  await pool.query('UPDATE xapi_statements SET voided = true WHERE tenant = $1 AND statement_id = ANY($2::uuid[]) AND verb <> $3', [tenant, targets, VOIDED_VERB]);
}

// Where an activity appears: the object; with related_activities, also a sub-statement's object and the context activities.
function activityMatch(column: string, id: string, asArray: string, related: boolean): string {
  const direct = `${column} #>> '{object,id}' = ${id}`;
  if (!related) return `(${direct})`;
  const places = ['{object,object,id}'].map((path) => `${column} #>> '${path}' = ${id}`);
  const context = ['context', 'object,context'].flatMap((base) =>
    ['parent', 'grouping', 'category', 'other'].map((kind) => `${column} #> '{${base},contextActivities,${kind}}' @> ${asArray}::jsonb`),
  );
  return `(${[direct, ...places, ...context].join(' OR ')})`;
}

// Where an agent appears: the actor (or a member of its group) or an Agent object; with related_agents, also the
// authority, the context's instructor and team, and a sub-statement's actor and object.
function agentMatch(column: string, identifier: string, asArray: string, related: boolean): string {
  const paths = related ? ['actor', 'object', 'authority', 'context,instructor', 'context,team', 'object,actor', 'object,object', 'object,context,instructor', 'object,context,team'] : ['actor', 'object'];
  const matches = paths.flatMap((path) => [`${column} #> '{${path}}' @> ${identifier}::jsonb`, `${column} #> '{${path},member}' @> ${asArray}::jsonb`]);
  return `(${matches.join(' OR ')})`;
}
