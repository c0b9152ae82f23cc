/** One CLI command: `npm run cli -- <name...> [--option value]`. */
export type CliCommand = Readonly<{
  /** Words that select the command, e.g. ['keys', 'create']. */
  name: readonly string[];
  summary: string;
  usage: string;
  /** Options it takes: `true` for a flag without a value. */
  options: Readonly<Record<string, { type: 'string' | 'boolean'; description: string }>>;
  run(options: Readonly<Record<string, string | boolean | undefined>>, positionals: readonly string[]): Promise<void>;
}>;

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}
