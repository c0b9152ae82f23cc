import { Presets, SingleBar } from 'cli-progress';

/** A progress bar on stderr (drawn only on a terminal), with a rate in events per second. */
export function progressBar(format: string): SingleBar {
  return new SingleBar({ format, hideCursor: true, etaBuffer: 50, fps: 5, stream: process.stderr }, Presets.shades_classic);
}

/** Events per second since `startedAt`, rounded. */
export function eventsPerSecond(events: number, startedAt: number, now = Date.now()): number {
  const seconds = (now - startedAt) / 1000;
  return seconds <= 0 ? 0 : Math.round(events / seconds);
}
