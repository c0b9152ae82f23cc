import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { type CliCommand, UsageError } from './command';
import { eventsExportCommand } from './commands/events-export.command';
import { eventsSendCommand } from './commands/events-send.command';
import { importCopilotCommand } from './commands/import-copilot.command';
import { importCompletionsCommand, importCoursesCommand, importDirectoryCommand } from './commands/import-csv.command';
import { keysCreateCommand } from './commands/keys-create.command';
import { keysListCommand } from './commands/keys-list.command';
import { keysRevokeCommand } from './commands/keys-revoke.command';
import { demoLoadCommand } from './commands/demo-load.command';
import { metricsExportCommand } from './commands/metrics-export.command';
import { projectionsRebuildCommand } from './commands/projections-rebuild.command';
import { tenantsCreateCommand } from './commands/tenants-create.command';
import { tenantsSeatsCommand } from './commands/tenants-seats.command';

/** Every command of `npm run cli -- <command>`. */
const COMMANDS: readonly CliCommand[] = [
  tenantsCreateCommand,
  tenantsSeatsCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  demoLoadCommand,
  eventsSendCommand,
  eventsExportCommand,
  importCopilotCommand,
  importDirectoryCommand,
  importCompletionsCommand,
  importCoursesCommand,
  projectionsRebuildCommand,
  metricsExportCommand,
];

function help(): string {
  const lines = ['usage: npm run cli -- <command> [options]', '', 'commands:'];
  for (const command of COMMANDS) lines.push(`  ${command.usage}`, `      ${command.summary}`);
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const command = COMMANDS.find((candidate) => candidate.name.every((word, index) => argv[index] === word));
  if (!command) {
    console.error(argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' ? help() : `unknown command: ${argv.join(' ')}\n\n${help()}`);
    return argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' ? 0 : 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...argv.slice(command.name.length)],
      options: Object.fromEntries(Object.entries(command.options).map(([name, option]) => [name, { type: option.type }])),
      allowPositionals: true,
    });
    await command.run(values as Record<string, string | boolean | undefined>, positionals);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\nusage: npm run cli -- ${command.usage}`);
      return 2;
    }
    console.error((error as Error).message ?? error);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
