import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

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
