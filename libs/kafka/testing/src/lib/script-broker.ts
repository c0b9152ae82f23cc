import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inCi, type KafkaTestBroker } from './kafka-test-broker';

/**
 * A broker of a test's own, started and stopped with infra/kafka/start.sh and stop.sh on a free port pair and a
 * temporary KAFKA_STATE_DIR, so that a test may restart it without touching the shared broker (127.0.0.1:9092).
 */
export type ScriptBroker = KafkaTestBroker &
  Readonly<{
    stateDir: string;
    /** start.sh: returns once the broker answers a metadata request; again after stop(), on the same state. */
    start(): Promise<void>;
    /** stop.sh: controlled shutdown (SIGTERM, SIGKILL after KAFKA_STOP_TIMEOUT). */
    stop(): Promise<void>;
    /** Stops the broker if it runs and deletes its state folder. Never throws: it is meant for afterAll. */
    remove(): Promise<void>;
  }>;

/** The repository's root: the folder above this file that holds infra/kafka/start.sh. */
function repositoryRoot(): string {
  for (let folder = __dirname; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'infra', 'kafka', 'start.sh'))) return folder;
    if (dirname(folder) === folder) throw new Error(`infra/kafka/start.sh not found above ${__dirname}`);
  }
}

/**
 * True when a broker of the test's own can be started: Java runs and the jars are resolved in infra/kafka/.cache/libs
 * (in CI, `npm run kafka:start` of the shared broker resolves them). Same rule as kafkaTestBroker: in CI a missing
 * piece throws, so the suite fails; elsewhere it warns loudly and answers false, and the suite should skip.
 * Synchronous, because jest decides to skip a suite while collecting it.
 */
export function scriptBrokerAvailable(suite: string): boolean {
  const missing: string[] = [];
  const java = process.env['JAVA'] ?? (process.env['JAVA_HOME'] ? join(process.env['JAVA_HOME'], 'bin', 'java') : 'java');
  if (spawnSync(java, ['-version'], { stdio: 'ignore', timeout: 20_000 }).status !== 0) missing.push(`Java does not run (${java}; set JAVA_HOME or JAVA)`);
  const libs = join(repositoryRoot(), 'infra', 'kafka', '.cache', 'libs');
  const jars = existsSync(libs) ? readdirSync(libs).filter((name) => /^kafka_2\.13-.*\.jar$/.test(name)) : [];
  if (jars.length === 0) missing.push(`the Kafka jars are not in ${libs} (\`npm run kafka:start\` resolves them)`);
  if (missing.length === 0) return true;
  const message = `cannot start a broker of its own: ${missing.join('; ')}`;
  if (inCi()) throw new Error(`${suite}: ${message}; CI=true, so the test fails instead of skipping`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED: ${suite}\n!! ${message}\n${'!'.repeat(100)}\n`);
  return false;
}

/** A port whose successor is free too (client and controller listener); free when asked, not reserved. */
export async function freePortPair(): Promise<number> {
  const listen = (port: number) =>
    new Promise<ReturnType<typeof createServer> | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  const close = (server: ReturnType<typeof createServer>) => new Promise<void>((resolve) => server.close(() => resolve()));
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listen(0);
    if (!first) continue;
    const port = (first.address() as { port: number }).port;
    const second = port < 65_535 ? await listen(port + 1) : undefined;
    await close(first);
    if (second) {
      await close(second);
      return port;
    }
  }
  throw new Error('no free pair of adjacent ports found');
}

/** A broker on 127.0.0.1:<port> (controller <port>+1) whose files all live in a new temporary folder. */
export function createScriptBroker(port: number): ScriptBroker {
  const root = repositoryRoot();
  const stateDir = mkdtempSync(join(tmpdir(), 'rl-kafka-broker-'));
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_STATE_DIR: stateDir, KAFKA_HOST: '127.0.0.1', KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1) };
  // Settings meant for the shared broker must not leak into this one: its data folder above all.
  delete env['KAFKA_DATA_DIR'];
  delete env['KAFKA_BOOTSTRAP'];

  // Asynchronous, so that the consumers and producers under test keep running while the broker starts or stops.
  const run = (script: 'start.sh' | 'stop.sh', ...args: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile('bash', [join(root, 'infra', 'kafka', script), ...args], { env, timeout: 120_000 }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`infra/kafka/${script} failed (${error.message}):\n${stderr}`));
        else resolve();
      });
    });

  return {
    brokers: [`127.0.0.1:${port}`],
    stateDir,
    start: () => run('start.sh'),
    stop: () => run('stop.sh'),
    async remove() {
      await run('stop.sh', '--clean').catch((error: Error) => console.error(error.message));
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
