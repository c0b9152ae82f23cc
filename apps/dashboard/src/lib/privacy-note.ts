import type { ReworkMetricsAnswer, UsageMetricsAnswer } from './api-types';

/**
 * What an answer withheld to protect small groups (privacy v2: a caller without admin gets only published cells of
 * the protected tables), in a sentence to show near its chart; null when nothing was withheld.
 */
export function withheldNote(answer: Pick<ReworkMetricsAnswer, 'suppressed'> | Pick<UsageMetricsAnswer, 'suppressed'>): string | null {
  const { suppressed } = answer;
  if (suppressed === null) return null;
  // A usage answer has no outputs: its active users are what is withheld with every other figure.
  const shownSum = 'outputs' in suppressed ? suppressed.outputs : suppressed.activeUsers;
  if (suppressed.reason === 'WITHHELD.NOT_IN_PROTECTED_TABLES') return 'This combination of filters is not published, to protect small groups.';
  const groups = `${suppressed.rows} group${suppressed.rows === 1 ? '' : 's'}`;
  return shownSum === null
    ? `Figures of ${groups} withheld to protect small groups (even their sum would show too few people).`
    : `Figures of ${groups} withheld to protect small groups (their sum is shown as one row).`;
}

/** Whether a bucketed or unbucketed answer covers more than was asked: a caller without admin gets whole periods. */
export function widenedPeriod(answer: Pick<ReworkMetricsAnswer, 'from' | 'to'>, asked: { from: string; to: string }): boolean {
  return Date.parse(answer.from) !== Date.parse(asked.from) || Date.parse(answer.to) !== Date.parse(asked.to);
}
