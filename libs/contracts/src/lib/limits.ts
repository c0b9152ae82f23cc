/**
 * Limits of event contract v1 (PRODUCT.md; the table of bounds, with why, is in docs/events.md). Every number an
 * event carries has an upper bound, chosen so that what the read models compute from it (a rework's cost is
 * minutesSpent / 60 × hourlyCost, summed over every rework of a tenant) stays far inside double precision and
 * PostgreSQL numeric, however many events are summed.
 */
export const MAX_IDENTIFIER_LENGTH = 200;
export const MAX_IRI_LENGTH = 2048;
export const MAX_TEXT_LENGTH = 2000;
export const MAX_MINUTES_SPENT = 1440;
export const MAX_BATCH_EVENTS = 1000;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;

/**
 * The smallest number other than 0 a non-integer field takes (minutes, money, scores). A double as small as 1e-320 is
 * valid JSON, but PostgreSQL refuses to let double-precision arithmetic underflow to 0 (`value out of range:
 * underflow`): a rework of 1e-200 minutes priced at 1e-200 an hour stopped the projection. Nothing measured here is
 * finer than a millionth of its unit; from 10⁻⁶ up to the bounds below, every product and sum the read models form
 * stays a normal double.
 */
export const MIN_POSITIVE_NUMBER = 1e-6;

/** A year of minutes: no single output saves more of one person's work. */
export const MAX_MINUTES_SAVED_ESTIMATE = 525_600;
/** Tokens of one output (integers), as PRODUCT.md bounds usage token counts. */
export const MAX_TOKENS = 1e12;
/** Counts of `ai.usage.recorded` (requests, suggestions, acceptances, lines): integers, as PRODUCT.md bounds them. */
export const MAX_USAGE_COUNT = 1e12;
/**
 * Any money amount (an hourly cost, a course's cost per seat), in the currency's major unit: ≥ 1,000 USD an hour
 * even in the currencies with the most units to the dollar (IRR, VND, IDR), and the bound PRODUCT.md sets on usage cost.
 */
export const MAX_MONEY_AMOUNT = 1e9;
/** Items of a list in `data` (`skills`, `activityIds`). */
export const MAX_LIST_ITEMS = 100;

/**
 * Times of events (`time`, `effectiveFrom`): from the Unix epoch to the end of year 9999. Before 1970 nothing this
 * ledger records happened; past 9999 RFC 3339 has no four-digit year and PostgreSQL no year 0.
 */
export const EARLIEST_EVENT_TIME = '1970-01-01T00:00:00Z';
export const LATEST_EVENT_TIME = '9999-12-31T23:59:59.999Z';

/**
 * Deepest nesting of an event's values: the event's attributes (and `data`'s own fields) are level 1, an object or
 * array inside one of them level 2, and so on. Far above what any contract field needs; far below what would
 * exhaust a stack (JSON.stringify, PostgreSQL's jsonb) on the way to the store.
 */
export const MAX_NESTING_DEPTH = 32;
/** The fields of `data` the contract does not name (kept, not read) take at most this many bytes as JSON (UTF-8). */
export const MAX_EXTRA_DATA_BYTES = 64 * 1024;
/**
 * PostgreSQL indexes at most about 2700 bytes of one row's key (a third of a page), and a key that does not compress
 * below that fails the insert — of a whole batch. So the values that together name one record are bounded in UTF-8
 * bytes as well as characters: an event's identity (tenant, source, id) in the store, and what the training read
 * model keys by (each `activityIds` IRI; `system` and `externalId` of an identity link), the tenant beside them.
 */
export const MAX_IDENTITY_BYTES = 2400;
export const MAX_KEY_BYTES = 2000;

/**
 * Property names refused anywhere in an event: assigning them to an object changes its prototype or constructor,
 * so a consumer that copies data with ordinary assignment could be misled. Refused rather than kept so that no
 * stored event ever carries one.
 */
export const RESERVED_PROPERTY_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];
