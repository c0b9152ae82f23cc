import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ApiKeyEntity, type Scope, SCOPES } from './api-key.entity';
import { type ApiKeyCacheOptions, createApiKeyCache } from './api-key-cache';

/** Who is calling: the tenant their key is bound to, and what it may do. */
export type Principal = Readonly<{ tenant: string; scopes: readonly Scope[]; keyId: string }>;

/** What may be shown of a stored key: never the key, never its hash. */
export type ApiKeyInfo = Readonly<{ id: string; tenant: string; name: string; scopes: readonly string[]; createdAt: Date; revokedAt: Date | null }>;

/** The outcome of a revocation: `revoked` now, revoked `already`, or no key has that id (`unknown`). */
export type RevokeOutcome = 'revoked' | 'already' | 'unknown';

/** API keys are 32 random bytes: a fast hash is enough, and lets a key be looked up by its hash. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random API key, recognisable by its prefix. */
export function generateApiKey(): string {
  return `rl_${randomBytes(32).toString('base64url')}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ApiKeys {
  /** Creates a key for a tenant; the clear key is returned once and never stored. */
  create(tenant: string, scopes: readonly Scope[], name: string): Promise<{ id: string; key: string }>;
  /** Stores a key given by the operator (API_BOOTSTRAP_KEY) if it is not stored yet. */
  ensure(key: string, tenant: string, scopes: readonly Scope[], name: string): Promise<void>;
  /** The principal of a valid, unrevoked key. Cached: a key revoked elsewhere stops working within the cache TTL. */
  authenticate(key: string): Promise<Principal | undefined>;
  /** True when the key is known valid from the cache, without a look-up (a flood of bad keys must not lock it out). */
  knownValid?(key: string): boolean;
  /** Every key (of one tenant, or all), oldest first, without secrets. */
  list(tenant?: string): Promise<ApiKeyInfo[]>;
  /** Marks a key revoked (by id); it stops working here at once, in other processes within the cache TTL. */
  revoke(id: string): Promise<RevokeOutcome>;
}

/** API keys in PostgreSQL (TypeORM), with a bounded, expiring in-memory cache of look-ups (see createApiKeyCache). */
export function createApiKeys(dataSource: DataSource, options: ApiKeyCacheOptions = {}): ApiKeys {
  const repository = dataSource.getRepository(ApiKeyEntity);
  const cache = createApiKeyCache<Principal>(async (hash) => {
    const row = await repository.findOneBy({ keyHash: hash });
    if (!row || row.revokedAt) return undefined;
    return { tenant: row.tenant, scopes: row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)), keyId: row.id };
  }, options);

  async function store(key: string, tenant: string, scopes: readonly Scope[], name: string): Promise<string> {
    const id = randomUUID();
    await repository
      .createQueryBuilder()
      .insert()
      .values({ id, tenant, name, keyHash: hashApiKey(key), scopes: [...scopes], createdAt: new Date(), revokedAt: null })
      .orIgnore()
      .execute();
    return id;
  }

  return {
    async create(tenant, scopes, name) {
      const key = generateApiKey();
      const id = await store(key, tenant, scopes, name);
      return { id, key };
    },
    async ensure(key, tenant, scopes, name) {
      await store(key, tenant, scopes, name);
    },
    authenticate(key) {
      return cache.get(hashApiKey(key));
    },
    knownValid(key) {
      return cache.peek(hashApiKey(key)) !== undefined;
    },
    async list(tenant) {
      const rows = await repository.find({ where: tenant === undefined ? {} : { tenant }, order: { createdAt: 'ASC', id: 'ASC' } });
      return rows.map(({ id, tenant: owner, name, scopes, createdAt, revokedAt }) => ({ id, tenant: owner, name, scopes, createdAt, revokedAt }));
    },
    async revoke(id) {
      if (!UUID.test(id)) return 'unknown';
      const result = await repository
        .createQueryBuilder()
        .update()
        .set({ revokedAt: () => 'now()' })
        .where('id = :id AND revoked_at IS NULL', { id })
        .execute();
      cache.forget((principal) => principal.keyId === id);
      if ((result.affected ?? 0) > 0) return 'revoked';
      return (await repository.existsBy({ id })) ? 'already' : 'unknown';
    },
  };
}
