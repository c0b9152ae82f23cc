module.exports = { ...require('../../jest.preset'), displayName: 'copilot', rootDir: __dirname };
