// `npm test` runs every project's tests in one jest run. Integration tests share one PostgreSQL:
// DATABASE_URL when set, else an embedded server started once for the run (see libs/testing).
const { swcTransform } = require('./jest.preset');
const glob = require('node:fs');
const path = require('node:path');

const projectRoots = ['apps', 'libs'].flatMap((dir) =>
  glob
    .readdirSync(path.join(__dirname, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && glob.existsSync(path.join(__dirname, dir, entry.name, 'jest.config.js')))
    .map((entry) => `<rootDir>/${dir}/${entry.name}`),
);

module.exports = {
  projects: projectRoots,
  transform: { '^.+\\.ts$': swcTransform },
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
};
