// The dashboard's pure functions (formatting, plain-language sentences) run under jest with the rest of the workspace.
module.exports = { ...require('../../jest.preset'), displayName: 'dashboard', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
