/** Limits of event contract v1 (PRODUCT.md). */
export const MAX_IDENTIFIER_LENGTH = 200;
export const MAX_IRI_LENGTH = 2048;
export const MAX_TEXT_LENGTH = 2000;
export const MAX_MINUTES_SPENT = 1440;
export const MAX_BATCH_EVENTS = 1000;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;
