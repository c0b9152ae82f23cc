import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ApiKeyEntity, type Scope, SCOPES } from './api-key.entity';

/** Who is calling: the tenant their key is bound to, and what it may do. */
export type Principal = Readonly<{ tenant: string; scopes: readonly Scope[]; keyId: string }>;

/** API keys are 32 random bytes: a fast hash is enough, and lets a key be looked up by its hash. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random API key, recognisable by its prefix. */
export function generateApiKey(): string {
  return `rl_${randomBytes(32).toString('base64url')}`;
}

export interface ApiKeys {
  /** Creates a key for a tenant; the clear key is returned once and never stored. */
  create(tenant: string, scopes: readonly Scope[], name: string): Promise<{ id: string; key: string }>;
  /** Stores a key given by the operator (API_BOOTSTRAP_KEY) if it is not stored yet. */
  ensure(key: string, tenant: string, scopes: readonly Scope[], name: string): Promise<void>;
  authenticate(key: string): Promise<Principal | undefined>;
}

/** API keys in PostgreSQL (TypeORM), with a short in-memory cache of successful look-ups. */
export function createApiKeys(dataSource: DataSource, options: { cacheMs?: number } = {}): ApiKeys {
  const repository = dataSource.getRepository(ApiKeyEntity);
  const cacheMs = options.cacheMs ?? 30_000;
  const cache = new Map<string, { principal: Principal | undefined; until: number }>();

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
    async authenticate(key) {
      const hash = hashApiKey(key);
      const cached = cache.get(hash);
      if (cached && cached.until > Date.now()) return cached.principal;
      const row = await repository.findOneBy({ keyHash: hash });
      const principal =
        row && !row.revokedAt ? { tenant: row.tenant, scopes: row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)), keyId: row.id } : undefined;
      cache.set(hash, { principal, until: Date.now() + (principal ? cacheMs : 1000) });
      return principal;
    },
  };
}
