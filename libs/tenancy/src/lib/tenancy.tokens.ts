/** Dependency-injection tokens of the tenancy services. */
export const API_KEYS = Symbol('ApiKeys');
export const TENANT_SETTINGS = Symbol('TenantSettingsStore');
