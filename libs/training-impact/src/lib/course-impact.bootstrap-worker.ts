// A worker thread of the bootstrap pool (course-impact.worker-pool.ts): resamples one run of streams per message.
// Imports nothing through the workspace's path aliases, so it loads as it is in any setting.
import { parentPort } from 'node:worker_threads';
import { resampleEmployees, type ResampledEmployees } from './course-impact.bootstrap-kernel';
import type { ImpactPlan } from './course-impact.design';

/** One run of resamples: the plan (a copy), the number of employees, and the starting states of the run's streams. */
export type BootstrapTask = Readonly<{ plan: ImpactPlan; employeeCount: number; streamStates: Int32Array<ArrayBuffer> }>;

parentPort?.on('message', (task: BootstrapTask) => {
  const result: ResampledEmployees = resampleEmployees(task.plan, task.employeeCount, task.streamStates);
  const transfer = [result.main, result.placebo].flatMap((draws) => (draws === null ? [] : [draws.buffer]));
  parentPort?.postMessage(result, transfer);
});
