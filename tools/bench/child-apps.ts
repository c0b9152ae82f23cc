// Compiled apps of dist/ started as child processes by the benchmarks, and what the benchmarks read of them.
import { comparePositions, type EventStore } from '@rework-ledger/event-store';
import { readProjectionPositions } from '@rework-ledger/projections';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Pool } from 'pg';

const ROOT = join(__dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export type App = { child: ChildProcess; url: string; output: () => string };

/** Starts a compiled app of dist/ and waits for its /health. */
export async function startApp(entry: string, env: Record<string, string>): Promise<App> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', join(ROOT, 'tools', 'runtime-paths.js'), join(ROOT, 'dist', entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited:\n${output}`);
    if (await fetch(`${url}/health`).then((response) => response.ok, () => false)) return { child, url, output: () => output };
    if (Date.now() > deadline) throw new Error(`${entry} did not start:\n${output}`);
    await sleep(100);
  }
}

/** Resident memory of a process in MB (Linux), sampled until stopped; answers the largest value seen. */
export function sampleRss(pid: number): { stop(): number } {
  let max = 0;
  const read = () => {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) max = Math.max(max, Number(match[1]) / 1024);
    } catch {
      // the process has exited
    }
  };
  read();
  const timer = setInterval(read, 250);
  return {
    stop() {
      clearInterval(timer);
      read();
      return max;
    },
  };
}

/** CPU seconds (user + system) a process has used so far (Linux); 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Whether every read model's checkpoint has reached the newest event stored (each passes over the types it does not read). */
export const everyReadModelAtHead = async (pool: Pool, store: EventStore, projections: readonly { name: string }[]) => {
  const rows = await readProjectionPositions(pool, projections.map((projection) => projection.name));
  const head = await store.lastCommittedPosition();
  return rows.length === projections.length && rows.every((row) => comparePositions(row.position, head) >= 0);
};

/** Stops a child app (SIGTERM) and waits for it to exit. */
export async function stopApp(app: App): Promise<void> {
  if (app.child.exitCode !== null) return;
  const exited = new Promise((resolve) => app.child.once('exit', resolve));
  app.child.kill('SIGTERM');
  await exited;
}
