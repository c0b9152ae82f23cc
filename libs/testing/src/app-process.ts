// Starts the apps of the workspace as real child processes from their TypeScript sources (see ts-register.js), for the
// end-to-end tests: the API (HTTP, projections), the ingestor (Kafka → event store) and the CLI (a command, its exit code).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
export const APP_ENTRIES = {
  api: join(ROOT, 'apps', 'api', 'src', 'main.ts'),
  ingestor: join(ROOT, 'apps', 'ingestor', 'src', 'main.ts'),
  cli: join(ROOT, 'apps', 'cli', 'src', 'main.ts'),
} as const;

export type AppProcess = Readonly<{
  name: string;
  url: string;
  pid: number;
  /** Everything the process wrote, for the message of a failed test. */
  output(): string;
  /** Sends a signal and waits for the exit; answers the exit code or the signal. */
  stop(signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
  exited: Promise<number | NodeJS.Signals | null>;
}>;

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts an app with this environment (on a free PORT) and resolves once `GET /health` answers 200. */
export async function startApp(name: string, entry: string, env: Readonly<Record<string, string>>, timeoutMs = 90_000): Promise<AppProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['-r', join(__dirname, 'ts-register.js'), entry], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env, PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  for (;;) {
    if (exitedEarly) throw new Error(`${name} exited during start-up:\n${output.slice(-4000)}`);
    const healthy = await fetch(`${url}/health`).then((response) => response.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer /health within ${timeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name,
    url,
    pid: child.pid as number,
    output: () => output,
    exited,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** What a command run as a process did. */
export type ScriptRun = Readonly<{ code: number | null; stdout: string; stderr: string }>;

/** Runs an entry (e.g. the CLI) with these arguments and this environment to its end, as a user's shell would. */
export async function runScript(entry: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<ScriptRun> {
  const child = spawn(process.execPath, ['-r', join(__dirname, 'ts-register.js'), entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  return { code, stdout, stderr };
}
