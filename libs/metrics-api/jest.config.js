module.exports = { ...require('../../jest.preset'), displayName: 'metrics-api', rootDir: __dirname };
