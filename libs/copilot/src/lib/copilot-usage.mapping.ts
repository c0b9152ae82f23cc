// GitHub Copilot usage reports (the users-1-day NDJSON rows) → `ai.usage.recorded` (PRODUCT.md, "Connectors").
import { normaliseIdentifier, type UsageRecordedData } from '@rework-ledger/domain';
import { v5 as uuidv5 } from 'uuid';

/** The tool every Copilot usage fact names. */
export const COPILOT_TOOL = 'github-copilot';

/** The identity-link system of a GitHub login (`employee.identity_linked` with `system: github`). */
export const GITHUB_IDENTITY_SYSTEM = 'github';

/** The UUID v5 namespace of Copilot-derived event ids. Fixed forever: changing it would change every derived id. */
export const COPILOT_ID_NAMESPACE = '6f7c2d0e-5a43-4c1b-9b8e-0c3f6a1d2e47';

/** Whose report it is: an organisation's or an enterprise's. */
export type CopilotScope = Readonly<{ kind: 'org' | 'enterprise'; name: string }>;

/** `data` of the `ai.usage.recorded` a user-day row becomes: the domain's shape, with the Copilot tool. */
export type CopilotUsageData = Readonly<UsageRecordedData & { tool: typeof COPILOT_TOOL }>;

export type CopilotUsageEvent = Readonly<{ specversion: '1.0'; id: string; source: string; type: 'ai.usage.recorded'; time: string; data: CopilotUsageData }>;

/** Why a row became no event: counted per reason in the import's summary. */
export type CopilotSkipReason = 'not-json' | 'not-an-object' | 'no-user-login' | 'no-day' | 'no-usage-figures';

/** A user-day row as read: who (the login, normalised), which day, and the figures it carries (contract names). */
export type CopilotUserDay = Readonly<{ login: string; day: string; figures: Readonly<Partial<Record<CopilotFigure, number>>> }>;

export type CopilotRowResult = Readonly<{ ok: true; userDay: CopilotUserDay }> | Readonly<{ ok: false; reason: CopilotSkipReason }>;

/** Row field → contract figure (PRODUCT.md's mapping; any other field is ignored, any of these may be missing). */
export const COPILOT_FIGURES = [
  ['user_initiated_interaction_count', 'requests'],
  ['code_generation_activity_count', 'suggestions'],
  ['code_acceptance_activity_count', 'acceptances'],
  ['loc_suggested_to_add_sum', 'linesSuggested'],
  ['loc_added_sum', 'linesAccepted'],
  ['ai_credits_used', 'credits'],
] as const;

export type CopilotFigure = (typeof COPILOT_FIGURES)[number][1];

/** Integers ≤ 10¹² (the contract's bound of counts); credits ≤ 10⁹ and may be fractional. */
const MAX_COUNT = 1e12;
const MAX_CREDITS = 1e9;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A scope as GitHub names it: organisation and enterprise slugs ignore case (`--org Acme` and `--org acme` are one). */
function scopePath(scope: CopilotScope): string {
  return `${scope.kind === 'org' ? 'orgs' : 'enterprises'}/${scope.name.toLowerCase()}`;
}

/** The key of a user-day: a later import of the same key replaces the earlier fact (a revised report corrects itself). */
export function copilotUsageKey(scope: CopilotScope, login: string, day: string): string {
  return `github-copilot/${scopePath(scope)}/${normaliseIdentifier(login, GITHUB_IDENTITY_SYSTEM)}/${day}`;
}

/** The CloudEvents source of a scope's facts (the same for an API import and a file import of that scope). */
export function copilotSource(scope: CopilotScope): string {
  return `github-copilot:${scopePath(scope)}`;
}

/** A whole, non-negative number within `max`; a numeric string counts (tolerant parsing); anything else is absent. */
function count(value: unknown, max: number, integer: boolean): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(number) || number < 0 || number > max) return undefined;
  if (integer && !Number.isInteger(number)) return undefined;
  return number;
}

/**
 * One parsed users-1-day row → the user-day it reports, or why not. Tolerant: fields it does not know are ignored, a
 * missing or unusable figure is left out; only a row without a user, a day or any figure is skipped. `reportDay` is
 * the day of rows that do not say theirs.
 */
export function parseUsageRow(row: unknown, reportDay?: string): CopilotRowResult {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return { ok: false, reason: 'not-an-object' };
  const fields = row as Record<string, unknown>;
  const rawLogin = fields['user_login'];
  if (typeof rawLogin !== 'string' || rawLogin.trim() === '') return { ok: false, reason: 'no-user-login' };
  const day = typeof fields['day'] === 'string' ? fields['day'].slice(0, 10) : reportDay;
  if (day === undefined || !DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) return { ok: false, reason: 'no-day' };
  const figures: Partial<Record<CopilotFigure, number>> = {};
  for (const [field, figure] of COPILOT_FIGURES) {
    const value = figure === 'credits' ? count(fields[field], MAX_CREDITS, false) : count(fields[field], MAX_COUNT, true);
    if (value !== undefined) figures[figure] = value;
  }
  if (Object.keys(figures).length === 0) return { ok: false, reason: 'no-usage-figures' };
  // The one normalisation of identifiers (a GitHub login ignores case): what `employee.identity_linked` with system `github` names.
  return { ok: true, userDay: { login: normaliseIdentifier(rawLogin, GITHUB_IDENTITY_SYSTEM), day, figures } };
}

/** One NDJSON line → its user-day, or why not (blank lines are the caller's to skip). */
export function parseUsageLine(line: string, reportDay?: string): CopilotRowResult {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  return parseUsageRow(row, reportDay);
}

export type UsageEventOptions = Readonly<{
  scope: CopilotScope;
  /** The UTC day of this import (YYYY-MM-DD): part of the event id, so a re-run the same day stores nothing. */
  importDay: string;
}>;

/**
 * A user-day → its `ai.usage.recorded`, whose `employeeId` is the normalised login: no lookup here, the read models
 * resolve it through the identity links of system `github` (a link sent after the import re-attributes it). The id derives from the usage key, the data and the import's day: the same
 * report imported twice the same day is a duplicate, while a revision (even back to an earlier value) imported on a
 * later day is a new fact that replaces the earlier one (same `usageKey`).
 */
export function usageEventOf(userDay: CopilotUserDay, options: UsageEventOptions): CopilotUsageEvent {
  const usageKey = copilotUsageKey(options.scope, userDay.login, userDay.day);
  const data: CopilotUsageData = { employeeId: userDay.login, tool: COPILOT_TOOL, day: userDay.day, usageKey, ...userDay.figures };
  return {
    specversion: '1.0',
    id: uuidv5(JSON.stringify([usageKey, data, options.importDay]), COPILOT_ID_NAMESPACE),
    source: copilotSource(options.scope),
    type: 'ai.usage.recorded',
    time: `${userDay.day}T00:00:00Z`,
    data,
  };
}
