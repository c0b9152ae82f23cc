// Runs the workspace's TypeScript sources in a child process, for the end-to-end tests that start the API and the
// ingestor as real processes: SWC compiles each .ts file when it is required (the settings of jest.preset.js), and
// tsconfig-paths resolves the @rework-ledger/* aliases to the sources.
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../../../tsconfig.base.json');
const { swcTransform } = require('../../../jest.preset');

const [, swcOptions] = swcTransform;
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcOptions, filename, sourceMaps: 'inline' });
  module._compile(code, filename);
};
tsConfigPaths.register({ baseUrl: path.join(__dirname, '..', '..', '..'), paths: compilerOptions.paths });
