module.exports = { ...require('../../jest.preset'), displayName: 'read-models', rootDir: __dirname };
