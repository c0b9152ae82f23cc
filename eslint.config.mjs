// ESLint 9 flat config: TypeScript rules plus the Nx project boundaries (docs/style.md, convention 9).
import nx from '@nx/eslint-plugin';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const FRAMEWORKS = ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', 'express', '@eventstore/db-client', 'class-validator', 'class-transformer', 'cloudevents'];

// The domain libraries (tag type:domain), read from their project.json: no comment may switch a rule off in them, so
// that no test or file of theirs can import a library the boundaries forbid (an eslint-disable would be ignored).
const projectJson = (name) => join(import.meta.dirname, 'libs', name, 'project.json');
const DOMAIN_LIBRARIES = readdirSync(join(import.meta.dirname, 'libs'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(projectJson(entry.name)))
  .filter((entry) => JSON.parse(readFileSync(projectJson(entry.name), 'utf8')).tags?.includes('type:domain'))
  .map((entry) => `libs/${entry.name}/**`);

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', 'infra/kafka/.cache', 'tmp', 'coverage', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // By type: apps compose; features use data access and domain; the domain depends on nothing else.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:domain', 'type:util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:domain', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:domain'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: FRAMEWORKS },
            // By scope: shared libraries know nothing of the product areas built on them.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:analytics', onlyDependOnLibsWithTags: ['scope:analytics', 'scope:shared'] },
            { sourceTag: 'scope:ingestion', onlyDependOnLibsWithTags: ['scope:ingestion', 'scope:shared'] },
            { sourceTag: 'scope:operations', onlyDependOnLibsWithTags: ['scope:operations', 'scope:ingestion', 'scope:shared'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:api', 'scope:analytics', 'scope:ingestion', 'scope:operations', 'scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  { files: DOMAIN_LIBRARIES, linterOptions: { noInlineConfig: true } },
  {
    // @rework-ledger/ingestion/core: the ingest rules the HTTP command, the Kafka ingestor and xAPI share, framework-free.
    files: ['libs/ingestion/src/core.ts', 'libs/ingestion/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@nestjs/*', 'express', 'typeorm', 'pg', 'kafkajs', '../lib/*', './lib/*'], message: 'ingestion/core stays framework-free: no NestJS, HTTP, database driver or Kafka.' }] },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
