/** One variable that breaks its rule; `value` is left out for secrets. */
export type ConfigIssue = Readonly<{ variable: string; rule: string; value?: string }>;

/** The environment does not describe a valid configuration. Not retriable: the message names each variable to fix. */
export class ConfigError extends Error {
  readonly code = 'CONFIG.INVALID';
  /** The first offending variable. */
  readonly field: string | undefined;

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map(describeIssue).join('\n')}\nSee docs/configuration.md.`);
    this.name = new.target.name;
    this.field = issues[0]?.variable;
  }
}

function describeIssue({ variable, rule, value }: ConfigIssue): string {
  return `  - ${variable} ${rule}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`;
}
