import { SetMetadata } from '@nestjs/common';
import type { Scope } from '@rework-ledger/tenancy';

export const REQUIRED_SCOPE = 'rework-ledger:required-scope';
export const ACCEPTED_CONTENT_TYPES = 'rework-ledger:accepted-content-types';
export const BASIC_AUTH = 'rework-ledger:basic-auth';

/**
 * The scope a route needs, or the scopes of which it needs one (a tenant's scope or `operator`, which implies none
 * and is implied by none); routes without it are public.
 */
export const RequireScope = (...scopes: [Scope, ...Scope[]]) => SetMetadata(REQUIRED_SCOPE, scopes);

/**
 * The media types a route's body may have (e.g. `multipart/mixed` for xAPI attachments); others get 415 before the
 * body is read; the wildcard type (asterisk, slash, asterisk) takes any. Without it a route takes JSON: `application/json` and `application/*+json`.
 */
export const AcceptsContentTypes = (...types: readonly string[]) => SetMetadata(ACCEPTED_CONTENT_TYPES, types.map((type) => type.toLowerCase()));

/** The route also takes its key by HTTP Basic, as the password (xAPI: LMS and LRS-forwarding screens ask for one). */
export const AcceptsBasicAuth = () => SetMetadata(BASIC_AUTH, true);
