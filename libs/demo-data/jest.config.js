module.exports = { ...require('../../jest.preset'), displayName: 'demo-data', rootDir: __dirname };
