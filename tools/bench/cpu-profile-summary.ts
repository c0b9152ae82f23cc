// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by file or package, and the inclusive
// time of the functions named on the command line (a function's time with everything it calls). A measuring aid only.
// Usage: node dist/tools/bench/cpu-profile-summary.js <file.cpuprofile> [events] [function names…]
// With `events`, every figure is also given in µs per event.
import { readFileSync } from 'node:fs';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** A file's label: the npm package for node_modules, the path from the repository for ours, node's internals as such. */
function fileOf(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return `npm:${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + '/dist/'.length) : url;
}

function main(): void {
  const [file, eventsArgument, ...inclusiveNames] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const events = Number(eventsArgument ?? 0);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  const inclusive = new Map<string, number>(inclusiveNames.map((name) => [name, 0]));
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    total += micros;
    const node = byId.get(id) as ProfileNode;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${fileOf(url)}:${lineNumber + 1}`;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + micros);
    selfByFile.set(fileOf(url), (selfByFile.get(fileOf(url)) ?? 0) + micros);
    // Inclusive: once per sample for each named function on its stack, however deep the recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = (byId.get(at) as ProfileNode).callFrame.functionName;
      if (inclusive.has(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
      }
    }
  });

  const format = (micros: number) =>
    `${(micros / 1000).toFixed(0).padStart(7)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%${events > 0 ? ` ${(micros / events).toFixed(2).padStart(7)} µs/event` : ''}`;
  const top = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, micros]) => `${format(micros)}  ${key}`);
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled${events > 0 ? `, ${events} events` : ''}`);
  console.log('\nself time by file or package:');
  for (const line of top(selfByFile, 25)) console.log(line);
  console.log('\nself time by function:');
  for (const line of top(selfByFunction, 40)) console.log(line);
  if (inclusive.size > 0) {
    console.log('\ninclusive time of:');
    for (const [name, micros] of inclusive) console.log(`${format(micros)}  ${name}`);
  }
}

main();
