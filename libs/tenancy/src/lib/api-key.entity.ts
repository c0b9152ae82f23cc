import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `ingest`, `read`, `lrs` and `admin` are a tenant's (admin implies the other three); `operator` is platform-wide
 * (every tenant's status, a global rebuild) and is implied by nothing. `lrs` reads the xAPI statements and documents
 * (employee-level data): an LMS's key that only sends statements stays `ingest`.
 */
export const SCOPES = ['ingest', 'read', 'lrs', 'admin', 'operator'] as const;
export type Scope = (typeof SCOPES)[number];

/** The scopes a tenant's own keys may hold: a tenant's first admin key gets these, never `operator`. */
export const TENANT_SCOPES: readonly Scope[] = ['ingest', 'read', 'lrs', 'admin'];

/** True when a principal with `granted` scopes may use a route that needs `required`. */
export function scopeSatisfies(granted: readonly Scope[], required: Scope): boolean {
  if (granted.includes(required)) return true;
  return required !== 'operator' && granted.includes('admin');
}

/** An API key bound to one tenant and a set of scopes. Only the SHA-256 of the key is stored. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text') tenant: string;
  @Column('text') name: string;
  @Column('text', { name: 'key_hash' }) keyHash: string;
  @Column('text', { array: true }) scopes: Scope[];
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
}
