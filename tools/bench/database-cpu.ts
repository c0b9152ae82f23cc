import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/**
 * The CPU time (user + system, s) of the PostgreSQL backends serving one database, from /proc (Linux; 0 elsewhere):
 * what the database spent on a path, beside this process's own CPU. On a shared machine CPU time moves far less than
 * the wall clock. A backend that exits between two readings takes its time with it (the bench's pool keeps its
 * connections while a path runs).
 */
export function databaseCpuSeconds(database: string): number {
  let ticks = 0;
  for (const backendTicks of ticksByBackend(database).values()) ticks += backendTicks;
  return ticks / TICKS_PER_SECOND;
}

/**
 * The same over a span in which backends may come and go (a child process's pool opening and closing connections):
 * the backends are read every 200 ms, and one that exits keeps the time last read of it.
 */
export function databaseCpuMeter(database: string): { stop(): number } {
  const before = ticksByBackend(database);
  const last = new Map(before);
  const sample = () => {
    for (const [pid, ticks] of ticksByBackend(database)) last.set(pid, ticks);
  };
  const timer = setInterval(sample, 200);
  return {
    stop() {
      clearInterval(timer);
      sample();
      let ticks = 0;
      for (const [pid, now] of last) ticks += now - (before.get(pid) ?? 0);
      return ticks / TICKS_PER_SECOND;
    },
  };
}

/** CPU ticks (user + system) of each backend of the database, by process id. */
function ticksByBackend(database: string): Map<string, number> {
  const ticks = new Map<string, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return ticks;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      // A backend's title: "postgres: <user> <database> <host> <state>".
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!title.startsWith('postgres: ') || !title.split(' ').includes(database)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (in parentheses): utime and stime are the 14th and 15th of the line.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks;
}
