// Writes docs/schemas/<type>.schema.json from the contract's class-validator definitions (npm run schemas).
import { buildEventSchemas } from '@rework-ledger/contracts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const outDir = join(__dirname, '..', '..', '..', 'docs', 'schemas');
mkdirSync(outDir, { recursive: true });
for (const [type, schema] of Object.entries(buildEventSchemas())) {
  writeFileSync(join(outDir, `${type}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
}
console.log(`wrote ${Object.keys(buildEventSchemas()).length} schemas to ${outDir}`);
