import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { chown, copyFile, cp, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** Who runs the embedded PostgreSQL, which decides where its data lives by default. */
export type DataHome = Readonly<{
  /** XDG_DATA_HOME when set (only an absolute path counts, as the XDG spec says). */
  xdgDataHome?: string;
  /** The user's home folder. */
  home: string;
  /** Running as root: PostgreSQL then runs as the OS user postgres, which cannot reach /root. */
  root: boolean;
}>;

/** The folder name under the data home, and root's folder. */
export const DATA_FOLDER_NAME = 'rework-ledger';
export const ROOT_DATA_DIR = '/var/lib/rework-ledger';

/** The current process's data home. */
export function currentDataHome(xdgDataHome?: string): DataHome {
  return { ...(xdgDataHome ? { xdgDataHome } : {}), home: homedir(), root: process.getuid?.() === 0 };
}

/**
 * The default folder of the persistent embedded PostgreSQL: a user's data folder ($XDG_DATA_HOME/rework-ledger, else
 * ~/.local/share/rework-ledger), or /var/lib/rework-ledger as root — never the temp folder, which a reboot or a temp
 * cleaner empties. One folder per user, not per checkout: a pilot's data must survive a new checkout too.
 */
export function defaultDataDir(dataHome: DataHome): string {
  if (dataHome.root) return ROOT_DATA_DIR;
  const base = dataHome.xdgDataHome && isAbsolute(dataHome.xdgDataHome) ? dataHome.xdgDataHome : join(dataHome.home, '.local', 'share');
  return join(base, DATA_FOLDER_NAME);
}

/** Where releases before the persistent default kept the cluster of a checkout: `<tmp>/rework-ledger-pg-<hash>`. */
export function legacyTempDataDir(checkout = workspaceRoot()): string {
  const hash = createHash('sha256').update(checkout).digest('hex').slice(0, 12);
  return join(tmpdir(), `rework-ledger-pg-${hash}`);
}

/** A folder holds a complete cluster: initdb finished (PG_VERSION) and its password is there. */
export function holdsCluster(dataDir: string): boolean {
  return existsSync(join(dataDir, 'pgdata', 'PG_VERSION')) && existsSync(join(dataDir, 'password'));
}

export type MoveClusterOptions = Readonly<{
  /** As root, the OS user that runs PostgreSQL must own the cluster: a copy across file systems is given back to it. */
  owner?: Readonly<{ uid: number; gid: number }>;
  /** The postmaster pid when the cluster in `from` is running now (then it is not moved). */
  runningPid?: number;
}>;

export type MoveClusterResult = 'moved' | 'nothing-to-move' | 'destination-has-cluster' | 'source-running' | 'source-not-ours';

/**
 * Moves the cluster of `from` (pgdata and password) into `to`, once: only when `to` holds no cluster and `from` holds
 * a complete one that is not running, in a folder of this user's own. Crash-safe by order: the password is copied first, then pgdata is moved in one
 * rename (a copy to `pgdata.partial` renamed into place across file systems), and `from` is removed last; an
 * interrupted move is simply done again at the next start.
 */
export async function moveCluster(from: string, to: string, options: MoveClusterOptions = {}): Promise<MoveClusterResult> {
  if (holdsCluster(to)) return 'destination-has-cluster';
  if (!holdsCluster(from)) return 'nothing-to-move';
  if (options.runningPid !== undefined) return 'source-running';
  // The temp folder is shared: only a folder this user made (not a symlink, not another user's) is taken in.
  const source = await lstat(from);
  if (!source.isDirectory() || (process.getuid !== undefined && source.uid !== process.getuid())) return 'source-not-ours';

  await mkdir(to, { recursive: true, mode: options.owner ? 0o755 : 0o700 });
  await rm(join(to, 'pgdata'), { recursive: true, force: true }); // an unfinished initdb of ours, never data
  await copyFile(join(from, 'password'), join(to, 'password'));
  try {
    await rename(join(from, 'pgdata'), join(to, 'pgdata'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // The temp folder is often another file system (tmpfs): copy, keep the modes PostgreSQL checks, then swap in.
    const partial = join(to, 'pgdata.partial');
    await rm(partial, { recursive: true, force: true });
    await cp(join(from, 'pgdata'), partial, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    if (options.owner) await chownTree(partial, options.owner);
    await rename(partial, join(to, 'pgdata'));
  }
  await rm(from, { recursive: true, force: true });
  return 'moved';
}

async function chownTree(path: string, owner: Readonly<{ uid: number; gid: number }>): Promise<void> {
  await chown(path, owner.uid, owner.gid);
  const stat = await lstat(path);
  if (!stat.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), owner);
}

/** The pid of the postmaster running on the cluster of `dataDir`, if any. */
export function runningPostmaster(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the OS user postgres).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

// The checkout this code runs from (source or dist/): the nearest folder with nx.json, else the working directory.
export function workspaceRoot(): string {
  for (let folder = __dirname; folder !== dirname(folder); folder = dirname(folder)) {
    if (existsSync(join(folder, 'nx.json'))) return realpathSync(folder);
  }
  return realpathSync(process.cwd());
}
