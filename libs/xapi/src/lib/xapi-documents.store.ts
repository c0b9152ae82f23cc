import { type Migration, runMigrations } from '@rework-ledger/platform';
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';

/** The xAPI document resources: state, activity profile, agent profile (xAPI 1.0.3 Communication 2.2). */
export type DocumentKind = 'state' | 'activity-profile' | 'agent-profile';

/** Where a document lives: its kind, the keys its kind has ('' for those it has not), and its id. */
export type DocumentKey = Readonly<{ kind: DocumentKind; activityId: string; agent: string; registration: string; documentId: string }>;
/** The set of documents a GET without id lists or a DELETE without id removes (state: all of an activity and agent). */
export type DocumentScope = Omit<DocumentKey, 'documentId'>;

export type StoredDocument = Readonly<{ content: Buffer; contentType: string; etag: string; updated: Date }>;

export const XAPI_DOCUMENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'xapi_documents',
    // agent: the agent's identifier as canonical JSON; '' in the keys a kind has not. Documents are kept as sent.
    sql: `CREATE TABLE xapi_documents (
            tenant text NOT NULL,
            kind text NOT NULL,
            activity_id text NOT NULL,
            agent text NOT NULL,
            registration text NOT NULL,
            document_id text NOT NULL,
            content bytea NOT NULL,
            content_type text NOT NULL,
            etag text NOT NULL,
            updated timestamptz NOT NULL,
            PRIMARY KEY (tenant, kind, activity_id, agent, registration, document_id)
          );`,
  },
];

/** Applies the document table's migrations (component 'xapi-documents'). Idempotent. */
export async function migrateXapiDocuments(pool: Pool): Promise<void> {
  await runMigrations(pool, 'xapi-documents', XAPI_DOCUMENT_MIGRATIONS);
}

/** The entity tag of a document's content (xAPI concurrency: SHA-1, quoted as HTTP wants). */
export function etagOf(content: Buffer): string {
  return `"${createHash('sha1').update(content).digest('hex')}"`;
}

export interface XapiDocumentStore {
  get(tenant: string, key: DocumentKey): Promise<StoredDocument | undefined>;
  /** Stores the document (replacing any), updated at `updated`. */
  put(tenant: string, key: DocumentKey, document: Readonly<{ content: Buffer; contentType: string }>, updated: Date): Promise<void>;
  delete(tenant: string, key: DocumentKey): Promise<void>;
  /** The ids of the scope's documents updated after `since` (all when absent), and the latest update among them. */
  ids(tenant: string, scope: DocumentScope, since?: Date): Promise<{ ids: string[]; updated?: Date }>;
  deleteAll(tenant: string, scope: DocumentScope): Promise<void>;
}

export const XAPI_DOCUMENT_STORE = Symbol('XapiDocumentStore');

const SCOPE = 'tenant = $1 AND kind = $2 AND activity_id = $3 AND agent = $4 AND registration = $5';
const scopeValues = (tenant: string, scope: DocumentScope) => [tenant, scope.kind, scope.activityId, scope.agent, scope.registration];

/** The document table in PostgreSQL. Run {@link migrateXapiDocuments} first. */
export function createPostgresDocumentStore(pool: Pool): XapiDocumentStore {
  return {
    async get(tenant, key) {
      const { rows } = await pool.query<{ content: Buffer; content_type: string; etag: string; updated: Date }>(
        `SELECT content, content_type, etag, updated FROM xapi_documents WHERE ${SCOPE} AND document_id = $6`,
        [...scopeValues(tenant, key), key.documentId],
      );
      return rows[0] ? { content: rows[0].content, contentType: rows[0].content_type, etag: rows[0].etag, updated: new Date(rows[0].updated) } : undefined;
    },

    async put(tenant, key, document, updated) {
      await pool.query(
        `INSERT INTO xapi_documents (tenant, kind, activity_id, agent, registration, document_id, content, content_type, etag, updated)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tenant, kind, activity_id, agent, registration, document_id)
         DO UPDATE SET content = EXCLUDED.content, content_type = EXCLUDED.content_type, etag = EXCLUDED.etag, updated = EXCLUDED.updated`,
        [...scopeValues(tenant, key), key.documentId, document.content, document.contentType, etagOf(document.content), updated.toISOString()],
      );
    },

    async delete(tenant, key) {
      await pool.query(`DELETE FROM xapi_documents WHERE ${SCOPE} AND document_id = $6`, [...scopeValues(tenant, key), key.documentId]);
    },

    async ids(tenant, scope, since) {
      const { rows } = await pool.query<{ document_id: string; updated: Date }>(
        `SELECT document_id, updated FROM xapi_documents WHERE ${SCOPE} ${since ? 'AND updated > $6' : ''} ORDER BY document_id`,
        since ? [...scopeValues(tenant, scope), since.toISOString()] : scopeValues(tenant, scope),
      );
      const latest = rows.reduce<Date | undefined>((max, row) => (!max || new Date(row.updated) > max ? new Date(row.updated) : max), undefined);
      return { ids: rows.map((row) => row.document_id), ...(latest ? { updated: latest } : {}) };
    },

    async deleteAll(tenant, scope) {
      await pool.query(`DELETE FROM xapi_documents WHERE ${SCOPE}`, scopeValues(tenant, scope));
    },
  };
}
