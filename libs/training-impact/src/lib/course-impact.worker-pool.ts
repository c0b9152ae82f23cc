// The employee bootstrap spread over worker threads: the resamples are split into contiguous runs, one per thread, and
// each run is resampled by the same kernel as on the calling thread, from the same streams — so the draws are
// bit-identical to employeeBootstrap's. The pool is created on first use and kept; idle workers are unref()ed.
import { LedgerError } from '@rework-ledger/domain';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LANES, type BootstrapDraws, type ResampledEmployees } from './course-impact.bootstrap-kernel';
import type { BootstrapTask } from './course-impact.bootstrap-worker';
import type { ImpactPlan } from './course-impact.design';
import { resampleStreamStates } from './resample-stream';

/** Threads used when the caller does not say: the available cores, at most 8 (1000 resamples are 125 blocks of 8). */
export const DEFAULT_BOOTSTRAP_THREADS = Math.min(availableParallelism(), 8);

/** The most worker threads the pool starts, whatever the caller asks. */
export const MAX_BOOTSTRAP_THREADS = 16;

/**
 * Bootstrap ATTs resampling employees on `threads` worker threads; the same draws as `employeeBootstrap`. The plan is
 * copied once into shared memory, which every worker reads (the caller's plan is left as it was); the calling thread
 * only seeds the streams and joins the runs.
 */
export async function employeeBootstrapInWorkers(plan: ImpactPlan, employeeCount: number, resamples: number, seed: number, threads: number): Promise<BootstrapDraws> {
  const runs = splitResamples(resamples, Math.min(threads, MAX_BOOTSTRAP_THREADS));
  const shared = inSharedMemory(plan);
  pool ??= new BootstrapWorkerPool();
  const workers = pool;
  const results = await Promise.all(
    runs.map(({ first, count }) => workers.run({ plan: shared, employeeCount, streamStates: resampleStreamStates(seed, first, count) }, runs.length)),
  );
  return { main: joinRuns(results.map((result) => result.main)), placebo: joinRuns(results.map((result) => result.placebo)) };
}

/** Terminates the bootstrap's worker threads (tests, shutdown); computations still running are rejected. The next call starts new ones. */
export async function closeCourseImpactWorkers(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.close();
}

let pool: BootstrapWorkerPool | undefined;

/** Contiguous runs of resamples, as even as whole blocks of LANES allow (a block is the kernel's unit of work). */
export function splitResamples(resamples: number, parts: number): { first: number; count: number }[] {
  const blocks = Math.ceil(resamples / LANES);
  const runs: { first: number; count: number }[] = [];
  const n = Math.max(1, Math.min(parts, blocks));
  for (let i = 0; i < n; i++) {
    const first = Math.floor((i * blocks) / n) * LANES;
    const end = Math.min(resamples, Math.floor(((i + 1) * blocks) / n) * LANES);
    runs.push({ first, count: end - first });
  }
  return runs;
}

/** The runs' draws end to end; null when a comparison was not resampled in some run (no trainee, or too many redraws). */
function joinRuns(runs: readonly (Float64Array | null)[]): Float64Array<ArrayBuffer> | null {
  if (runs.some((run) => run === null)) return null;
  const joined = new Float64Array(runs.reduce((length, run) => length + (run as Float64Array).length, 0));
  let at = 0;
  for (const run of runs as Float64Array[]) {
    joined.set(run, at);
    at += run.length;
  }
  return joined;
}

/** A copy of the plan whose typed arrays live in SharedArrayBuffers: posting it to a worker copies no array. */
function inSharedMemory<T extends object>(value: T): T {
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field instanceof Int32Array || field instanceof Float64Array) {
      const buffer = new SharedArrayBuffer(field.byteLength);
      const array = field instanceof Int32Array ? new Int32Array(buffer) : new Float64Array(buffer);
      array.set(field);
      copy[key] = array;
    } else copy[key] = typeof field === 'object' && field !== null ? inSharedMemory(field) : field;
  }
  return copy as T;
}

type Job = { task: BootstrapTask; resolve: (result: ResampledEmployees) => void; reject: (error: Error) => void };

/**
 * Worker threads taking one run at a time from a queue. A worker is ref()ed only while it computes (a caller awaiting
 * its result must not see the process exit under it) and unref()ed when idle, so the pool never keeps a process alive.
 */
class BootstrapWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];

  run(task: BootstrapTask, threads: number): Promise<ResampledEmployees> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      while (this.idle.length + this.busy.size < threads) this.idle.push(this.start());
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const workers = [...this.idle, ...this.busy.keys()];
    const closed = new LedgerError('TRAINING_IMPACT.WORKERS_CLOSED', 'the bootstrap workers were closed during the computation', undefined, true);
    for (const job of [...this.busy.values(), ...this.queue.splice(0)]) job.reject(closed);
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      const worker = this.idle.pop() as Worker;
      const job = this.queue.shift() as Job;
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage(job.task, [job.task.streamStates.buffer]);
    }
  }

  private start(): Worker {
    const worker = startBootstrapWorker();
    worker.unref();
    worker.on('message', (result: ResampledEmployees) => {
      const job = this.busy.get(worker);
      if (job === undefined) return;
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      job.resolve(result);
      this.dispatch();
    });
    const fail = (error: Error): void => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      job?.reject(new LedgerError('TRAINING_IMPACT.WORKER_FAILED', `a bootstrap worker failed: ${error.message}`));
      // Runs still queued get a new worker (each run then fails on its own if the failure is not this worker's).
      if (job !== undefined && this.queue.length > 0) {
        this.idle.push(this.start());
        this.dispatch();
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    return worker;
  }
}

/**
 * Starts a worker on the compiled sibling `course-impact.bootstrap-worker.js` (server build, bench). When this module
 * runs from its TypeScript source (jest), the worker first registers a require hook compiling `.ts` with @swc/core (a
 * devDependency, already jest's compiler); the worker's modules import nothing through path aliases.
 */
function startBootstrapWorker(): Worker {
  const entry = join(__dirname, `course-impact.bootstrap-worker${extname(__filename)}`);
  return entry.endsWith('.ts') ? new Worker(TYPESCRIPT_ENTRY, { eval: true, workerData: { entry } }) : new Worker(entry);
}

const TYPESCRIPT_ENTRY = `
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { workerData } = require('node:worker_threads');
const requireFromEntry = createRequire(workerData.entry);
const { transformSync } = requireFromEntry('@swc/core');
require.extensions['.ts'] = (module, filename) => {
  const options = { filename, swcrc: false, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } };
  module._compile(transformSync(readFileSync(filename, 'utf8'), options).code, filename);
};
requireFromEntry(workerData.entry);
`;
