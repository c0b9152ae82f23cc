// The failing tests of a conformance run's log (console_runner.js -z), counted by group, largest first, with one
// message each: what to work on next. `node failures.js <log>`.
const fs = require('fs');

const log = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).log;
const groups = new Map();
function walk(node, path) {
  if (!node) return;
  const tests = node.tests ?? [];
  if (tests.length === 0 && node.status === 'failed') {
    const group = path.slice(0, 2).join(' › ');
    const entry = groups.get(group) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(`${node.title ?? node.name}: ${String(node.error ?? '').split('\n')[0].slice(0, 200)}`);
    groups.set(group, entry);
  }
  for (const test of tests) walk(test, [...path, node.title ?? node.name].filter(Boolean));
}
walk(log, []);
for (const [group, { count, examples }] of [...groups].sort((a, b) => b[1].count - a[1].count)) {
  console.log(`${String(count).padStart(4)}  ${group}`);
  for (const example of examples) console.log(`        - ${example}`);
}
