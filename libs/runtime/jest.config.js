module.exports = { ...require('../../jest.preset'), displayName: 'runtime', rootDir: __dirname };
